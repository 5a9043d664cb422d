// driver.cpp — goro-stress: runs time-boxed randomized scenarios against the goro runtime.
//
//   goro-stress --list
//   goro-stress mpmc close-storm --seconds 5 --seed 42
//   goro-stress --all --seconds 600              # the long tier (scripts/suite stress)
//   goro-stress --all --seconds 2 --json out.json  # also every scenario's result, machine-readable
//
// Each scenario runs rounds until its --seconds are spent. Round k draws everything from its own
// seed (round 0's is --seed, round k+1's is derived from round k's) and, unless --policy and
// --workers pin them, rotates through every policy and through 1, 2 and 4 workers. When a round
// breaks an invariant, throws something unexpected, or hangs (a watchdog gives each round a
// generous allowance), the driver prints the round's seed and the exact command that replays it
// as round 0. Exit status: 0 all passed, 1 an invariant failed, 2 bad command line, 3 a hang.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "goro/detail/json_quote.hpp"
#include "stress.hpp"

namespace goro_stress {
namespace {

constexpr const Scenario* kScenarios[] = {
    &mpmc_scenario,         &close_storm_scenario,     &select_storm_scenario, &timer_storm_scenario,
    &spawn_storm_scenario,  &exception_storm_scenario, &catch_switch_scenario, &sync_storm_scenario, &run_storm_scenario,
};

// kRoundSeconds: a round is short so failures replay quickly and policies rotate often, yet long
// enough that Runtime start-up (thread creation) is noise next to the work.
constexpr double kRoundSeconds = 0.5;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitHang = 3;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// kHangSeconds: how long one round may run past its deadline before the watchdog calls it a hang.
// Rounds stop starting trials at their deadline, so only a stuck trial gets anywhere near this.
constexpr double kHangSeconds = kSanitized ? 300.0 : 60.0;

struct CommandLine {
  std::vector<const Scenario*> scenarios;
  double seconds = 3.0;
  std::optional<std::uint64_t> seed;
  std::optional<goro::Policy> policy;
  std::optional<unsigned> workers;
  Settings settings;
  bool list = false;
  std::string json;  // --json FILE: every scenario's outcome (the verification page reads it)
  std::string program = "goro-stress";
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void print_help(std::FILE* out) {
  std::fprintf(out,
               "usage: goro-stress [SCENARIO...] [--all] [options]\n"
               "\n"
               "Runs randomized, time-boxed stress scenarios against the goro runtime and checks\n"
               "their invariants. On a failure prints the seed and the command that replays it.\n"
               "\n"
               "options:\n"
               "  --all               run every scenario (in --list order)\n"
               "  --list              list the scenarios and the invariants each checks, then exit\n"
               "  --seconds S         seconds per scenario (default 3; fractions allowed)\n"
               "  --seed N            seed of the first round (default: random, printed)\n"
               "  --policy P          a registered policy: fifo | steal | go | ... (default: rotate through all per round)\n"
               "  --workers W         worker threads, 1..1024 (default: rotate 1, 2, 4 per round)\n"
               "  --spawn-wave N      goroutines per spawn-storm wave (default 1000000)\n"
               "  --json FILE         also write each scenario's seconds, rounds, operations, seed and\n"
               "                      result as JSON\n"
               "  --help              this text\n"
               "\n"
               "exit status: 0 passed, 1 invariant failed, 2 bad command line, 3 hang\n");
}

template <class Number>
Number parse_number(std::string_view flag, std::string_view text, Number lo, Number hi) {
  Number value{};
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    throw UsageError(std::string(flag) + ": '" + std::string(text) + "' is not a valid number");
  }
  if (value < lo || value > hi || (std::is_floating_point_v<Number> && !std::isfinite(static_cast<double>(value)))) {
    throw UsageError(std::string(flag) + ": " + std::string(text) + " is out of range [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "]");
  }
  return value;
}

const Scenario* find_scenario(std::string_view name) {
  for (const Scenario* s : kScenarios)
    if (s->name == name) return s;
  return nullptr;
}

CommandLine parse(int argc, char** argv) {
  CommandLine cl;
  if (argc > 0) cl.program = argv[0];
  bool all = false;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      print_help(stdout);
      std::exit(0);
    }
    if (!arg.starts_with("-")) {
      const Scenario* s = find_scenario(arg);
      if (s == nullptr) throw UsageError("unknown scenario '" + std::string(arg) + "' (see --list)");
      cl.scenarios.push_back(s);
      continue;
    }
    std::string_view flag = arg;
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    auto value = [&]() -> std::string_view {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) throw UsageError(std::string(flag) + " needs a value");
      return args[++i];
    };
    auto no_value = [&] {
      if (inline_value) throw UsageError(std::string(flag) + " takes no value");
    };
    if (flag == "--all") {
      no_value();
      all = true;
    } else if (flag == "--list") {
      no_value();
      cl.list = true;
    } else if (flag == "--seconds") {
      cl.seconds = parse_number<double>(flag, value(), 0.001, 1e7);
    } else if (flag == "--seed") {
      cl.seed = parse_number<std::uint64_t>(flag, value(), 0, UINT64_MAX);
    } else if (flag == "--workers") {
      cl.workers = parse_number<unsigned>(flag, value(), 1, 1024);
    } else if (flag == "--json") {
      cl.json = std::string(value());
      if (cl.json.empty()) throw UsageError("--json needs a file name");
    } else if (flag == "--spawn-wave") {
      cl.settings.spawn_wave = parse_number<std::uint64_t>(flag, value(), 1, 100'000'000);
    } else if (flag == "--policy") {
      std::string_view name = value();
      try {
        cl.policy = goro::parse_policy(name);
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--policy: ") + e.what());
      }
    } else {
      throw UsageError("unknown option '" + std::string(arg) + "' (see --help)");
    }
  }
  if (all) {
    if (!cl.scenarios.empty()) throw UsageError("give either --all or scenario names, not both");
    cl.scenarios.assign(std::begin(kScenarios), std::end(kScenarios));
  }
  if (cl.scenarios.empty() && !cl.list) throw UsageError("no scenario given: name one or more, or --all (see --list)");
  // GORO_POLICY / GORO_WORKERS pin what the flags did not (a bad value is a usage error: the
  // library throws std::invalid_argument naming the valid values).
  if (!cl.policy && std::getenv("GORO_POLICY") != nullptr) cl.policy = goro::default_policy();
  if (!cl.workers && std::getenv("GORO_WORKERS") != nullptr) cl.workers = goro::default_workers();
  (void)goro::default_policy();
  (void)goro::default_workers();
  return cl;
}

// Watchdog: a thread that aborts the process with a replay command when a round overstays.
class Watchdog {
 public:
  Watchdog() : thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void arm(Clock::time_point limit, std::string replay) {
    std::lock_guard lock(mutex_);
    limit_ = limit;
    replay_ = std::move(replay);
    armed_ = true;
  }
  void disarm() {
    std::lock_guard lock(mutex_);
    armed_ = false;
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (armed_ && Clock::now() > limit_) {
        std::fprintf(stderr,
                     "\ngoro-stress: HANG — the round did not finish %.0f s after its deadline "
                     "(a lost wake-up, a livelock or a deadlock the runtime did not detect)\n"
                     "reproduce with:\n  %s\n",
                     kHangSeconds, replay_.c_str());
        std::fflush(stderr);
        std::_Exit(kExitHang);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool armed_ = false;
  Clock::time_point limit_{};
  std::string replay_;
  std::thread thread_;
};

std::string replay_command(const CommandLine& cl, const Scenario& s, std::uint64_t seed, goro::Policy policy,
                           unsigned workers) {
  std::string cmd;
#if defined(GORO_CHAOS)
  if (const char* chaos = std::getenv("GORO_CHAOS_SEED")) cmd += "GORO_CHAOS_SEED=" + std::string(chaos) + " ";
#endif
  cmd += cl.program + " " + std::string(s.name) + " --seed " + std::to_string(seed) + " --policy " +
         std::string(goro::to_string(policy)) + " --workers " + std::to_string(workers) + " --seconds " +
         std::to_string(cl.seconds);
  if (s.name == "spawn-storm") cmd += " --spawn-wave " + std::to_string(cl.settings.spawn_wave);
  return cmd;
}

struct Outcome {
  std::uint64_t operations = 0;
  std::uint64_t rounds = 0;
  double seconds = 0;
  bool passed = true;
  std::string failure;  // what broke, and the command that replays it
};

// write_json() records each scenario's outcome: {"kind": "stress-run", "seed", "build", "scenarios": [...]}.
void write_json(const CommandLine& cl, std::uint64_t seed, const std::vector<std::pair<const Scenario*, Outcome>>& runs) {
#if defined(GORO_CHAOS)
  const char* build = "chaos";
#elif defined(__SANITIZE_THREAD__)
  const char* build = "tsan";
#elif defined(__SANITIZE_ADDRESS__)
  const char* build = "asan";
#else
  const char* build = "release";
#endif
  std::ofstream out(cl.json);
  out << "{\"kind\": \"stress-run\", \"build\": \"" << build << "\", \"seed\": " << seed
      << ", \"seconds_per_scenario\": " << cl.seconds << ", \"policy\": "
      << (cl.policy ? goro::detail::json_quote(goro::to_string(*cl.policy)) : std::string("\"rotating\"")) << ", \"workers\": "
      << (cl.workers ? std::to_string(*cl.workers) : std::string("\"rotating\"")) << ", \"scenarios\": [";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& [s, o] = runs[i];
    out << (i ? ",\n  " : "\n  ") << "{\"name\": " << goro::detail::json_quote(s->name) << ", \"checks\": " << goro::detail::json_quote(s->invariants)
        << ", \"seconds\": " << o.seconds << ", \"rounds\": " << o.rounds << ", \"operations\": " << o.operations
        << ", \"passed\": " << (o.passed ? "true" : "false") << ", \"failure\": " << goro::detail::json_quote(o.failure) << "}";
  }
  out << "\n]}\n";
  if (!out) throw UsageError("--json: cannot write " + cl.json);
}

Outcome run_scenario(const CommandLine& cl, const Scenario& s, std::uint64_t first_seed, Watchdog& watchdog) {
  const std::vector<goro::Policy>& policies = goro::all_policies();  // every registered policy, in turn
  static constexpr unsigned kWorkers[] = {2, 4, 1};
  Outcome out;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cl.seconds));
  std::uint64_t seed = first_seed;
  for (std::uint64_t k = 0; out.rounds == 0 || Clock::now() < end; ++k, seed = next_round_seed(seed)) {
    const goro::Policy policy = cl.policy.value_or(policies[k % policies.size()]);
    const unsigned workers = cl.workers.value_or(kWorkers[(k / policies.size()) % 3]);
    const auto round_deadline =
        std::min(end, Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kRoundSeconds)));
    const std::string replay = replay_command(cl, s, seed, policy, workers);
    watchdog.arm(round_deadline + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kHangSeconds)),
                 replay);
    RoundContext ctx{seed, policy, workers, round_deadline, &cl.settings};
    std::string failure;
    try {
      out.operations += s.round(ctx);
    } catch (const Failure& e) {
      failure = e.what();
    } catch (const std::exception& e) {
      failure = std::string("unexpected exception escaped the round: ") + e.what();
    } catch (...) {
      failure = "unexpected non-std exception escaped the round";
    }
    watchdog.disarm();
    ++out.rounds;
    if (!failure.empty()) {
      std::fprintf(stderr,
                   "\ngoro-stress: FAILED %.*s (round %llu, seed %llu, policy %.*s, workers %u)\n  %s\n"
                   "reproduce with:\n  %s\n",
                   static_cast<int>(s.name.size()), s.name.data(), static_cast<unsigned long long>(k),
                   static_cast<unsigned long long>(seed), static_cast<int>(goro::to_string(policy).size()),
                   goro::to_string(policy).data(), workers, failure.c_str(), replay.c_str());
      out.passed = false;
      out.failure = failure + " (round " + std::to_string(k) + ", seed " + std::to_string(seed) + "); reproduce with: " + replay;
      break;
    }
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

int main_checked(int argc, char** argv) {
  CommandLine cl = parse(argc, argv);
  if (cl.list) {
    for (const Scenario* s : kScenarios) {
      std::printf("%-16.*s %.*s\n", static_cast<int>(s->name.size()), s->name.data(), static_cast<int>(s->summary.size()),
                  s->summary.data());
      std::printf("%-16s checks: %.*s\n", "", static_cast<int>(s->invariants.size()), s->invariants.data());
    }
    return 0;
  }
  const std::uint64_t seed = cl.seed.value_or(std::random_device{}() * 0x100000001ull ^ std::random_device{}());
#if defined(GORO_CHAOS)
  // The chaos Sync policy reads its seed once, from the environment; derive it from ours unless
  // the user pinned it, so one --seed reproduces both the trials and the injection streams.
  if (std::getenv("GORO_CHAOS_SEED") == nullptr) setenv("GORO_CHAOS_SEED", std::to_string(seed).c_str(), 1);
  std::printf("goro-stress: chaos build, GORO_CHAOS_SEED=%s\n", std::getenv("GORO_CHAOS_SEED"));
#endif
  std::printf("goro-stress: seed %llu, %.3g s per scenario, policy %s, workers %s\n", static_cast<unsigned long long>(seed),
              cl.seconds, cl.policy ? std::string(goro::to_string(*cl.policy)).c_str() : "rotating",
              cl.workers ? std::to_string(*cl.workers).c_str() : "rotating 2/4/1");
  std::fflush(stdout);
  Watchdog watchdog;
  bool all_passed = true;
  std::vector<std::pair<const Scenario*, Outcome>> runs;
  std::printf("%-16s %8s %7s %14s %14s  %s\n", "scenario", "seconds", "rounds", "operations", "ops/s", "result");
  for (const Scenario* s : kScenarios) {
    if (std::find(cl.scenarios.begin(), cl.scenarios.end(), s) == cl.scenarios.end()) continue;
    const Outcome o = run_scenario(cl, *s, seed, watchdog);
    std::printf("%-16.*s %8.2f %7llu %14llu %14.0f  %s\n", static_cast<int>(s->name.size()), s->name.data(), o.seconds,
                static_cast<unsigned long long>(o.rounds), static_cast<unsigned long long>(o.operations),
                o.operations / std::max(o.seconds, 1e-9), o.passed ? "ok" : "FAILED");
    std::fflush(stdout);
    all_passed = all_passed && o.passed;
    runs.emplace_back(s, o);
    if (!cl.json.empty()) write_json(cl, seed, runs);  // rewritten per scenario: a hang leaves the rest
  }
  return all_passed ? 0 : kExitFailed;
}

}  // namespace
}  // namespace goro_stress

int main(int argc, char** argv) {
  try {
    return goro_stress::main_checked(argc, argv);
  } catch (const goro_stress::UsageError& e) {
    std::fprintf(stderr, "goro-stress: error: %s\n", e.what());
    return goro_stress::kExitUsage;
  } catch (const std::invalid_argument& e) {  // e.g. a bad GORO_POLICY / GORO_WORKERS in the environment
    std::fprintf(stderr, "goro-stress: error: %s\n", e.what());
    return goro_stress::kExitUsage;
  }
}
