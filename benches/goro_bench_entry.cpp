// goro_bench_entry.cpp — goro::bench::main (<goro/bench.hpp>): goro's backends, one per
// registered policy, so a policy outside goro's tree runs the same workloads as the built-ins;
// and one per channel of your own added with goro::bench::register_channel()
// (<goro/bench/backend_channel.hpp>), so a channel outside goro's tree runs goro's channel
// workloads next to goro's channel.
#include <benchmark/benchmark.h>

#include <goro/bench.hpp>

#include <utility>
#include <vector>

#include "bench_main.hpp"
#include "registry.hpp"

namespace goro::bench {
namespace {
std::vector<benches::RegisterBackend>& added_backends() {
  static std::vector<benches::RegisterBackend> backends;
  return backends;
}
}  // namespace

void add_backend(benches::RegisterBackend register_backend) { added_backends().push_back(std::move(register_backend)); }

int main(int argc, char** argv) {
  std::vector<benches::RegisterBackend> backends{&benches::register_goro};
  for (const auto& added : added_backends()) backends.push_back(added);
  benchmark::AddCustomContext("goro_backend", "built");
  return benches::bench_main(argc, argv, backends, "goro::bench");
}

}  // namespace goro::bench
