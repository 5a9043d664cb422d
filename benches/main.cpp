// main.cpp — goro_bench: every workload on every C++ backend (goro's policies, std::thread,
// Boost.Fiber) at workers 1, 2 and nproc; bench_main.cpp does the registering and running.
#include <benchmark/benchmark.h>

#include "bench_main.hpp"
#include "registry.hpp"

int main(int argc, char** argv) {
  static const benches::RegisterBackend kBackends[] = {
#ifdef GORO_BENCH_HAVE_GORO
      &benches::register_goro,
#endif
      &benches::register_thread,
      &benches::register_fiber,
  };
#ifdef GORO_BENCH_HAVE_GORO
  benchmark::AddCustomContext("goro_backend", "built");
#else
  benchmark::AddCustomContext("goro_backend", "not built (goro::goro target missing at configure time)");
#endif
  return benches::bench_main(argc, argv, kBackends, "goro_bench");
}
