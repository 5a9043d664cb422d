// bench.hpp — goro's benchmark workloads on your scheduler policy (the goro::bench library).
//
//   #include <goro/bench.hpp>
//   #include <goro/policy.hpp>
//   int main(int argc, char** argv) {
//     goro::register_policy("mine", &make_my_policy);   // before main() registers the workloads
//     return goro::bench::main(argc, argv);
//   }
//
// Every workload of goro_bench (spawn_join, chan_pingpong, select2, skynet, ...) runs on every
// registered policy — the built-ins and yours — as `<workload>/goro/<policy>/workers:N`, at
// workers 1, 2 and nproc, with Google Benchmark's flags (--benchmark_filter,
// --benchmark_out=FILE.json, ...). The JSON is the schema goro's reports read:
// `scripts/suite bench --extra-binary PATH` runs your policies' benchmarks in the same run and
// record as goro_bench's, and `scripts/suite designs` puts yours next to fifo, steal and go
// (README, "Adding your own scheduler policy"; examples/custom_policy/README.md). A channel of
// your own runs goro's channel workloads the same way: goro::bench::register_channel() in
// <goro/bench/backend_channel.hpp>, or CMake's goro_add_algorithm_bench() (examples/retry_chan).
#pragma once

namespace goro::bench {

// main() registers the workloads on all_policies() and runs them; returns the exit status.
int main(int argc, char** argv);

}  // namespace goro::bench
