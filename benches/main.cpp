// main.cpp — goro_bench: registers every workload for every C++ backend at workers 1..nproc,
// named <workload>[/<param>]/<backend>/workers:N, and runs Google Benchmark's usual main.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "backend_fiber.hpp"
#include "backend_thread.hpp"
#include "harness.hpp"
#include "workloads.hpp"
#ifdef GORO_BENCH_HAVE_GORO
#include "backend_goro.hpp"
#endif

#ifndef GORO_BENCH_COMMIT
#define GORO_BENCH_COMMIT "unknown"
#endif

namespace benches {
namespace {

// One row per workload: its name (with parameter), how to run it on backend B, and whether it
// must run a single iteration per repetition (parked_memory measures a fresh backend).
template <class B>
struct Workload {
  std::string name;
  std::function<void(benchmark::State&)> body;
  bool single_iteration = false;
};

template <class B>
std::vector<Workload<B>> workload_table() {
  return {
      {"spawn_join", spawn_join<B>},
      {"yield_pingpong", yield_pingpong<B>},
      {"chan_pingpong", chan_pingpong<B>},
      {"chan_prodcons/cap:0", [](benchmark::State& s) { chan_prodcons<B>(s, 0); }},
      {"chan_prodcons/cap:1", [](benchmark::State& s) { chan_prodcons<B>(s, 1); }},
      {"chan_prodcons/cap:128", [](benchmark::State& s) { chan_prodcons<B>(s, 128); }},
      {"chan_mpmc/cap:128", [](benchmark::State& s) { chan_mpmc<B>(s, 128); }},
      {"select2", select2<B>},
      {"select_fanin/chans:8", [](benchmark::State& s) { select_fanin<B>(s, 8); }},
      {"fanout_fanin", fanout_fanin<B>},
      {"worker_pool", worker_pool<B>},
      {"mutex_contended", mutex_contended<B>},
      {"sieve", sieve<B>},
      {"skynet", skynet<B>},
      {"parked_memory", parked_memory<B>, true},
  };
}

// Google Benchmark 1.7.1 appends "/process_time", "/real_time" and "/iterations:1" to a name
// when a benchmark uses MeasureProcessCPUTime(), UseRealTime() or Iterations(). The contract is
// the bare <workload>/<backend>/workers:N, so this file does the filtering and listing on the
// bare names itself and reports through CleanNames<>, which drops those suffixes.
struct Filter {
  bool negate = false;
  std::regex regex;
  explicit Filter(std::string spec) {
    if (spec.empty() || spec == "all") spec = ".";
    if (spec[0] == '-') {
      negate = true;
      spec.erase(0, 1);
    }
    regex = std::regex(spec, std::regex::extended);  // what Google Benchmark uses
  }
  bool matches(const std::string& name) const { return std::regex_search(name, regex) != negate; }
};

template <class Base>
class CleanNames : public Base {
 public:
  using Base::Base;
  void ReportRuns(const std::vector<benchmark::BenchmarkReporter::Run>& runs) override {
    std::vector<benchmark::BenchmarkReporter::Run> clean = runs;
    for (auto& run : clean) {
      run.run_name.time_type.clear();
      run.run_name.iterations.clear();
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

// register_backend() registers workload × workers for one backend, keeping the names `filter`
// accepts. The workload name goes first, then its parameter, then the backend, then workers.
template <class B>
void register_backend(const std::string& backend_name, unsigned max_workers, const Filter& filter,
                      std::vector<std::string>& names) {
  for (const auto& w : workload_table<B>()) {
    for (unsigned workers = 1; workers <= max_workers; ++workers) {
      const std::string name = w.name + "/" + backend_name + "/workers:" + std::to_string(workers);
      if (!filter.matches(name)) continue;
      names.push_back(name);
      auto* b = benchmark::RegisterBenchmark(name.c_str(), [body = w.body, workers](benchmark::State& state) {
        run_workload<B>(state, workers, body);
      });
      b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kNanosecond);
      if (w.single_iteration) b->Iterations(1);
    }
  }
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
}  // namespace benches

int main(int argc, char** argv) {
  using namespace benches;
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
#ifdef GORO_BENCH_HAVE_GORO
  register_backend<GoroBackend<goro::Policy::fifo>>("goro/fifo", nproc, filter, names);
  register_backend<GoroBackend<goro::Policy::steal>>("goro/steal", nproc, filter, names);
  register_backend<GoroBackend<goro::Policy::go>>("goro/go", nproc, filter, names);
#endif
  register_backend<ThreadBackend>("thread", nproc, filter, names);
  register_backend<FiberBackend<FiberAlgorithm::round_robin>>("fiber/round_robin", nproc, filter, names);
  register_backend<FiberBackend<FiberAlgorithm::shared_work>>("fiber/shared_work", nproc, filter, names);
  register_backend<FiberBackend<FiberAlgorithm::work_stealing>>("fiber/work_stealing", nproc, filter, names);

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
  benchmark::AddCustomContext("suite", "goro_bench");
  benchmark::AddCustomContext("nproc", std::to_string(nproc));
#ifdef GORO_BENCH_HAVE_GORO
  benchmark::AddCustomContext("goro_backend", "built");
#else
  benchmark::AddCustomContext("goro_backend", "not built (goro::goro target missing at configure time)");
#endif
  auto display = make_reporter(display_format, true);
  std::unique_ptr<benchmark::BenchmarkReporter> file;
  if (!out_file.empty()) file = make_reporter(out_format, false);
  benchmark::RunSpecifiedBenchmarks(display.get(), file.get());
  benchmark::Shutdown();
  return 0;
}
