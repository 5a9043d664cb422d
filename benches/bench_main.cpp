// bench_main.cpp — the main of a benchmark binary: registers every workload for the given
// backends at workers 1, 2 and nproc (see registry.hpp), then runs Google Benchmark's usual main
// on the bare contract names. Shared by goro_bench (main.cpp: every C++ backend) and goro::bench
// (goro_bench_entry.cpp: goro's backends only, for a scheduler policy outside goro's tree).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_main.hpp"
#include "registry.hpp"

#ifndef GORO_BENCH_COMMIT
#define GORO_BENCH_COMMIT "unknown"
#endif

namespace benches {
namespace {

template <class Base>
class CleanNames : public Base {
 public:
  using Base::Base;
  void ReportRuns(const std::vector<benchmark::BenchmarkReporter::Run>& runs) override {
    std::vector<benchmark::BenchmarkReporter::Run> clean = runs;
    for (auto& run : clean) {
      run.run_name.time_type.clear();
      run.run_name.iterations.clear();
      // cpu_wall: process CPU time (user + system, every thread: MeasureProcessCPUTime) over
      // wall time; above the parallelism a workload has, the excess is spinning. The Go twin
      // adds the same counter. Not for dispersion rows (a ratio of two stddevs means nothing).
      const bool dispersion = run.aggregate_name == "stddev" || run.aggregate_name == "cv";
      if (!run.error_occurred && !dispersion && run.GetAdjustedRealTime() > 0)
        run.counters["cpu_wall"] = benchmark::Counter(run.GetAdjustedCPUTime() / run.GetAdjustedRealTime());
    }
    Base::ReportRuns(clean);
  }
};

std::unique_ptr<benchmark::BenchmarkReporter> make_reporter(const std::string& format, bool display) {
  if (format == "json") return std::make_unique<CleanNames<benchmark::JSONReporter>>();
  if (format != "console") {  // csv is deprecated in Google Benchmark and not part of our contract
    std::cerr << "goro_bench: unknown output format '" << format << "' (console, json)\n";
    std::exit(2);
  }
  auto options = display && isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                  : benchmark::ConsoleReporter::OO_Tabular;
  return std::make_unique<CleanNames<benchmark::ConsoleReporter>>(options);
}

// flag_value() finds --name=value (or -name=value) in argv; `fallback` when absent.
std::string flag_value(int argc, char** argv, std::string_view flag, std::string fallback) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    while (!arg.empty() && arg.front() == '-') arg.remove_prefix(1);
    if (arg == flag) return "true";
    if (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag && arg[flag.size()] == '=')
      return std::string(arg.substr(flag.size() + 1));
  }
  return fallback;
}

}  // namespace

int bench_main(int argc, char** argv, std::span<const RegisterBackend> backends, const char* suite) {
  const std::string list = flag_value(argc, argv, "benchmark_list_tests", "false");
  const std::string display_format = flag_value(argc, argv, "benchmark_format", "console");
  const std::string out_file = flag_value(argc, argv, "benchmark_out", "");
  const std::string out_format = flag_value(argc, argv, "benchmark_out_format", "json");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  const std::string filter_spec = benchmark::GetBenchmarkFilter();
  Filter filter(filter_spec);
  std::vector<std::string> names;
  const unsigned nproc = std::max(1u, std::thread::hardware_concurrency());
  for (const RegisterBackend& register_backend_of : backends) register_backend_of(worker_counts_for(nproc), filter, names);

  if (list == "true" || list == "1") {
    for (const auto& n : names) std::cout << n << "\n";
    return 0;
  }
  if (names.empty()) {
    std::cerr << "Failed to match any benchmarks against regex: " << filter_spec << "\n";
    return 0;
  }
  benchmark::SetBenchmarkFilter(".");  // already filtered on the bare names above

  benchmark::AddCustomContext("goro_commit", GORO_BENCH_COMMIT);
  benchmark::AddCustomContext("suite", suite);
  benchmark::AddCustomContext("nproc", std::to_string(nproc));
  auto display = make_reporter(display_format, true);
  std::unique_ptr<benchmark::BenchmarkReporter> file;
  if (!out_file.empty()) file = make_reporter(out_format, false);
  benchmark::RunSpecifiedBenchmarks(display.get(), file.get());
  benchmark::Shutdown();
  return 0;
}

}  // namespace benches
