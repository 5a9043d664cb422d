// driver.hpp (<goro/verify/relacy/driver.hpp>) — the command line every model executable shares: which tier, which planted
// bug, what Relacy reported, and an exit status ctest and `scripts/suite models` can rely on.
//
//   model_X                         quick tier: every scenario on the faithful policy, random
//                                   scheduler; exit 0 iff Relacy reports nothing
//   model_X --full                  exhaustive tier: full-search (or context-bound) scheduler on
//                                   the smallest configurations; reports executions explored
//   model_X --variant V --expect K  run planted bug V; exit 0 iff Relacy reports a failure of kind
//                                   K (data_race, assertion, invariant, deadlock, livelock)
//   model_X --expect K              every scenario in turn until one fails; exit 0 iff it failed
//                                   as K (a planted bug built into the executable: a mutated header)
//   model_X --planted               every planted bug in turn; exit 0 iff each is reported as its kind
//   model_X --list                  scenarios and planted bugs with their expected kinds
//   --scenario S, --iterations N, --verbose (print Relacy's report and execution history)
//   --json FILE                     also write every run as JSON (the verification page reads it)
//
// Each line of output is one run: model, scenario, variant, scheduler, executions, result, time.
// Under GORO_ORDER_MUTANT (goro/verify/relacy/order_mutant.hpp) a last line says how often the mutant was applied.
//
// Include from exactly one translation unit per executable (each model is a single .cpp): it
// defines the hook that turns the algorithms' own assert() failures into Relacy failures.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "goro/detail/json_quote.hpp"

#include "goro/verify/relacy/sync.hpp"

namespace goro::models {

// Kind is what a failing execution is classified as.
enum class Kind { none, data_race, assertion, invariant, deadlock, livelock, other };

inline const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::none: return "none";
    case Kind::data_race: return "data_race";
    case Kind::assertion: return "assertion";
    case Kind::invariant: return "invariant";
    case Kind::deadlock: return "deadlock";
    case Kind::livelock: return "livelock";
    case Kind::other: return "other";
  }
  return "?";
}

inline Kind classify(rl::test_result_e result) {
  switch (result) {
    case rl::test_result_success: return Kind::none;
    case rl::test_result_data_race: return Kind::data_race;
    case rl::test_result_user_assert_failed: return Kind::assertion;
    case rl::test_result_user_invariant_failed: return Kind::invariant;
    case rl::test_result_deadlock: return Kind::deadlock;
    case rl::test_result_livelock: return Kind::livelock;
    default: return Kind::other;
  }
}

inline bool inside_simulation = false;  // the assert hook reports to Relacy only while it runs

// ReportBuffer collects Relacy's report without allocating: while a simulation runs, Relacy's
// replacement operator new hands out memory from the execution's own heap, so a growing
// std::ostringstream would be freed into the wrong allocator. Output past the end is dropped.
class ReportBuffer : public std::streambuf {
 public:
  ReportBuffer() : storage_(kSize) { reset(); }
  void reset() { setp(storage_.data(), storage_.data() + storage_.size()); }
  std::string text() const {
    std::string s(pbase(), pptr());
    if (pptr() == epptr()) s += "\n[... report truncated ...]\n";
    return s;
  }

 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }

 private:
  static constexpr std::size_t kSize = 4u << 20;
  std::vector<char> storage_;
};

// Search is how one scenario is explored in a tier.
struct Search {
  rl::scheduler_type_e scheduler = rl::random_scheduler_type;
  unsigned iterations = 10000;  // random scheduler only
  unsigned context_bound = 2;   // context-bound scheduler only
};

inline const char* scheduler_name(rl::scheduler_type_e type) {
  switch (type) {
    case rl::random_scheduler_type: return "random";
    case rl::fair_full_search_scheduler_type: return "full";
    case rl::fair_context_bound_scheduler_type: return "context-bound";
    default: return "?";
  }
}

class Driver {
 public:
  using Runner = std::function<bool(rl::test_params&)>;

  Driver(std::string model, int argc, char** argv) : model_(std::move(model)) {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) usage("missing value after " + arg);
        return argv[++i];
      };
      if (arg == "--full") {
        full_ = true;
      } else if (arg == "--variant") {
        variant_ = value();
      } else if (arg == "--expect") {
        expect_ = value();
      } else if (arg == "--scenario") {
        scenario_ = value();
      } else if (arg == "--iterations") {
        iterations_ = static_cast<unsigned>(std::stoul(value()));
      } else if (arg == "--verbose") {
        verbose_ = true;
      } else if (arg == "--list") {
        list_ = true;
      } else if (arg == "--planted") {
        all_planted_ = true;
      } else if (arg == "--json") {
        json_path_ = value();
      } else if (arg == "--help" || arg == "-h") {
        usage("");
      } else {
        usage("unknown argument " + arg);
      }
    }
  }

  // scenario() registers a property check on the faithful policy: `quick` for the test command,
  // `full` for --full.
  template <class Test>
  void scenario(std::string name, std::string property, Search quick, Search full) {
    scenarios_.push_back({std::move(name), std::move(property), quick, full, &run_test<Test>});
  }

  // planted() registers a planted bug: Test is a scenario instantiated with a broken policy;
  // Relacy must report `expected` within `search`.
  template <class Test>
  void planted(std::string variant, std::string what, Kind expected, Search search) {
    planted_.push_back({std::move(variant), std::move(what), expected, search, &run_test<Test>});
  }

  int run() {
    if (list_) return list();
    order_mutant::active();  // parse GORO_ORDER_MUTANT (exit 2 if malformed) before any simulation
    const int status = run_selected();
    const long applied = order_mutant::applied();
    if (applied >= 0) {
      std::cout << "order_mutant: GORO_ORDER_MUTANT=" << order_mutant::active().text << " applied " << applied
                << " times" << std::endl;
    }
    if (!json_path_.empty()) write_json(status, applied);
    return status;
  }

 private:
  int run_selected() {
    if (all_planted_) {
      if (!variant_.empty() || !expect_.empty()) usage("--planted runs every planted bug: no --variant/--expect");
      int status = 0;
      for (const Planted& p : planted_) status |= run_one_planted(p, p.expected);
      return status;
    }
    if (!variant_.empty()) return run_planted();
    if (!expect_.empty()) return run_scenarios_expecting(parse_kind(expect_));
    bool ok = true;
    bool any = false;
    for (const Scenario& s : scenarios_) {
      if (!scenario_.empty() && s.name != scenario_) continue;
      any = true;
      Search search = full_ ? s.full : s.quick;
      if (iterations_ != 0) search.iterations = iterations_;
      const Outcome o = simulate(s.runner, search);
      print(s.name, "faithful", search, o, o.kind == Kind::none ? "ok" : "FAILED");
      record(s.name, s.property, "faithful", Kind::none, search, o, o.kind == Kind::none);
      if (o.kind != Kind::none) {
        std::cout << o.report;
        ok = false;
      } else if (verbose_) {
        std::cout << o.report;
      }
    }
    if (!any) usage("no scenario named " + scenario_);
    return ok ? 0 : 1;
  }

  // run_scenarios_expecting() is for a planted bug made outside the policy (a mutated copy of
  // the algorithm's header, built as its own executable): the scenarios run in order until one
  // fails; exit 0 iff that first failure is of the expected kind.
  int run_scenarios_expecting(Kind expected) {
    for (const Scenario& s : scenarios_) {
      if (!scenario_.empty() && s.name != scenario_) continue;
      Search search = full_ ? s.full : s.quick;
      if (iterations_ != 0) search.iterations = iterations_;
      const Outcome o = simulate(s.runner, search);
      if (o.kind == Kind::none) {
        print(s.name, "planted", search, o, "ok (not found here)");
        record(s.name, s.property, "planted", expected, search, o, false);
        continue;
      }
      const bool as_expected = o.kind == expected;
      std::string verdict = as_expected ? "found as expected (" : "NOT as expected (expected ";
      verdict += std::string(to_string(expected)) + ")";
      print(s.name, "planted", search, o, verdict);
      record(s.name, s.property, "planted", expected, search, o, as_expected);
      if (!as_expected || verbose_) std::cout << o.report;
      return as_expected ? 0 : 1;
    }
    std::cout << "model_" << model_ << ": no scenario found the planted bug (expected " << to_string(expected) << ")" << std::endl;
    return 1;
  }

  struct Scenario {
    std::string name, property;
    Search quick, full;
    Runner runner;
  };
  struct Planted {
    std::string variant, what;
    Kind expected;
    Search search;
    Runner runner;
  };
  struct Outcome {
    Kind kind = Kind::none;
    std::string result;      // Relacy's name for it
    unsigned long iterations = 0;  // executions explored, or the one that failed
    double seconds = 0;
    std::string report;      // Relacy's own output (history on failure)
  };

  template <class Test>
  static bool run_test(rl::test_params& params) {
    return rl::simulate<Test>(params);
  }

  Outcome simulate(const Runner& runner, const Search& search) const {
    rl::test_params params;
    static ReportBuffer report_buffer, progress_buffer;  // allocated once, before any simulation
    report_buffer.reset();
    progress_buffer.reset();
    std::ostream report(&report_buffer);
    std::ostream progress(&progress_buffer);
    params.search_type = search.scheduler;
    params.iteration_count = search.iterations;
    params.context_bound = search.context_bound;
    params.output_stream = &report;
    params.progress_stream = &progress;
    const auto start = std::chrono::steady_clock::now();
    inside_simulation = true;
    runner(params);
    inside_simulation = false;
    Outcome o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.kind = classify(params.test_result);
    o.result = rl::test_result_str(params.test_result);
    o.iterations = static_cast<unsigned long>(params.stop_iteration);
    o.report = report_buffer.text();
    return o;
  }

  int run_planted() {
    for (const Planted& p : planted_) {
      if (p.variant != variant_) continue;
      return run_one_planted(p, expect_.empty() ? p.expected : parse_kind(expect_));
    }
    usage("no planted bug named " + variant_);
  }

  int run_one_planted(const Planted& p, Kind expected) {
    Search search = p.search;
    if (full_) search.scheduler = rl::fair_full_search_scheduler_type;
    if (iterations_ != 0) search.iterations = iterations_;
    const Outcome o = simulate(p.runner, search);
    const bool as_expected = o.kind == expected;
    std::string verdict = as_expected ? "found as expected (" : "NOT as expected (expected ";
    verdict += std::string(to_string(expected)) + ")";
    print("planted", p.variant, search, o, verdict);
    record("planted", p.what, p.variant, expected, search, o, as_expected);
    if (!as_expected || verbose_) std::cout << o.report;
    return as_expected ? 0 : 1;
  }

  // Run is one simulation, as --json writes it.
  struct Run {
    std::string scenario, what, variant, scheduler, result;
    Kind expected, kind;
    unsigned context_bound;
    unsigned long iterations;
    double seconds;
    bool ok;
  };

  void record(const std::string& scenario, const std::string& what, const std::string& variant, Kind expected,
              const Search& search, const Outcome& o, bool ok) {
    runs_.push_back({scenario, what, variant, scheduler_name(search.scheduler), o.result, expected, o.kind,
                     search.context_bound, o.iterations, o.seconds, ok});
  }


  // write_json() records every run of this process: {"model", "tier", "exit_status", "runs": [...]}.
  void write_json(int status, long applied) const {
    std::ofstream out(json_path_);
    out << "{\"kind\": \"model-runs\", \"model\": " << goro::detail::json_quote(model_) << ", \"tier\": \"" << (full_ ? "full" : "quick")
        << "\", \"exit_status\": " << status;
    if (applied >= 0) out << ", \"order_mutant\": " << goro::detail::json_quote(order_mutant::active().text) << ", \"applied\": " << applied;
    out << ", \"runs\": [";
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const Run& r = runs_[i];
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.3f", r.seconds);
      out << (i ? ",\n  " : "\n  ") << "{\"scenario\": " << goro::detail::json_quote(r.scenario) << ", \"what\": " << goro::detail::json_quote(r.what)
          << ", \"variant\": " << goro::detail::json_quote(r.variant) << ", \"scheduler\": " << goro::detail::json_quote(r.scheduler);
      if (r.scheduler == "context-bound") out << ", \"context_bound\": " << r.context_bound;
      out << ", \"iterations\": " << r.iterations << ", \"failed\": " << (r.kind == Kind::none ? "false" : "true")
          << ", \"result\": " << goro::detail::json_quote(r.result) << ", \"kind\": \"" << to_string(r.kind) << "\", \"expected\": \""
          << to_string(r.expected) << "\", \"ok\": " << (r.ok ? "true" : "false") << ", \"seconds\": " << seconds << "}";
    }
    out << "\n]}\n";
    if (!out) {
      std::cerr << "model_" << model_ << ": cannot write " << json_path_ << "\n";
      std::exit(2);
    }
  }

  int list() const {
    std::cout << model_ << " scenarios (faithful policy):\n";
    for (const Scenario& s : scenarios_) {
      std::cout << "  " << s.name << " — " << s.property << "\n";
    }
    std::cout << model_ << " planted bugs:\n";
    for (const Planted& p : planted_) {
      std::cout << "  " << p.variant << " (" << to_string(p.expected) << ") — " << p.what << "\n";
    }
    return 0;
  }

  void print(const std::string& scenario, const std::string& variant, const Search& search, const Outcome& o,
             const std::string& verdict) const {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2fs", o.seconds);
    std::cout << "model_" << model_ << " scenario=" << scenario << " variant=" << variant
              << " scheduler=" << scheduler_name(search.scheduler);
    if (search.scheduler == rl::fair_context_bound_scheduler_type) std::cout << "(" << search.context_bound << ")";
    if (o.kind == Kind::none) {
      std::cout << " executions=" << o.iterations;
    } else {
      std::cout << " failed_at_iteration=" << o.iterations;
    }
    std::cout << " result=\"" << o.result << "\" kind=" << to_string(o.kind) << " time=" << seconds << " — " << verdict
              << std::endl;
  }

  [[noreturn]] void usage(const std::string& error) const {
    std::ostream& out = error.empty() ? std::cout : std::cerr;
    if (!error.empty()) out << "model_" << model_ << ": " << error << "\n";
    out << "usage: model_" << model_
        << " [--full] [--scenario NAME] [--iterations N] [--verbose] [--json FILE]\n"
           "       model_"
        << model_
        << " [--variant NAME] --expect data_race|assertion|invariant|deadlock|livelock [--full] [--iterations N]\n"
           "       model_"
        << model_ << " --planted [--full] [--json FILE]\n"
           "       model_"
        << model_ << " --list\n";
    std::exit(error.empty() ? 0 : 2);
  }

  Kind parse_kind(const std::string& name) const {
    for (Kind k : {Kind::data_race, Kind::assertion, Kind::invariant, Kind::deadlock, Kind::livelock, Kind::none}) {
      if (name == to_string(k)) return k;
    }
    usage("unknown kind " + name);
  }

  std::string model_;
  bool full_ = false, verbose_ = false, list_ = false, all_planted_ = false;
  std::string variant_, expect_, scenario_, json_path_;
  std::vector<Run> runs_;
  unsigned iterations_ = 0;
  std::vector<Scenario> scenarios_;
  std::vector<Planted> planted_;
};

}  // namespace goro::models

// The algorithms' own assert()s (models build with NDEBUG undefined) become Relacy assertion
// failures, reported with the execution history, instead of aborting the whole search.
extern "C" void __assert_fail(const char* assertion, const char* file, unsigned int line, const char* function) noexcept {
  if (!goro::models::inside_simulation) {
    std::fprintf(stderr, "%s:%u: %s: assertion failed: %s\n", file, line, function, assertion);
    std::abort();
  }
  rl::ctx().fail_test(assertion, rl::test_result_user_assert_failed, rl::debug_info(function, file, line));
  std::abort();  // not reached: fail_test leaves this execution
}
