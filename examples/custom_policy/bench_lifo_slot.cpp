// bench_lifo_slot.cpp — goro's benchmark workloads on lifo_slot next to goro's built-in
// policies: the same names (<workload>/goro/<policy>/workers:N), flags and JSON as goro_bench.
//
//   scripts/suite bench --extra-binary /tmp/custom/lifo_slot_bench && scripts/suite designs
//   ./lifo_slot_bench --benchmark_filter=/workers:1 --benchmark_out=lifo_slot.json  # by hand
#include <goro/bench.hpp>
#include <goro/policy.hpp>

#include "lifo_slot_policy.hpp"

int main(int argc, char** argv) {
  goro::register_policy("lifo_slot", &make_lifo_slot_policy);
  return goro::bench::main(argc, argv);
}
