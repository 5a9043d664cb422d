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
// breaks an invariant, throws something unexpected, or hangs, the driver prints the round's seed
// and the exact command that replays it as round 0.
//
// Slow is not stuck. A watchdog judges a round by progress (stress.hpp: the operations its
// goroutines complete), never by a deadline: a round is a HANG only when no operation completes
// for the stall limit (--stall-seconds, default kStallSeconds plus what the scenario's
// quiet_seconds() allows for its settings); the report names the round and what the runtime did
// during the stall (its counters), writes the scenario to --json as failed, and exits 3. A round
// that overruns its time box by more than kSlowSeconds but keeps completing operations is SLOW:
// reported with its rate, recorded in --json, and not a failure.
// Exit status: 0 all passed (slow rounds included), 1 an invariant failed, 2 bad command line,
// 3 a hang.
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

// kStallSeconds: how long a round may complete no operation before it is a hang. Trials are
// milliseconds long and report progress as they end; the limit covers a trial's longest quiet
// phase on a loaded machine, with a wide margin (sanitizers slow everything ~50x).
constexpr double kStallSeconds = kSanitized ? 300.0 : 30.0;
// kSlowSeconds: a round that ends this long after its time box is reported as slow.
constexpr double kSlowSeconds = 1.0;

struct CommandLine {
  std::vector<const Scenario*> scenarios;
  double seconds = 3.0;
  std::optional<std::uint64_t> seed;
  std::optional<goro::Policy> policy;
  std::optional<unsigned> workers;
  Settings settings;
  bool list = false;
  std::string json;  // --json FILE: every scenario's outcome (the verification page reads it)
  std::optional<double> stall_seconds;  // --stall-seconds: the hang limit, overriding the default
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
               "  --stall-seconds S   a round that completes no operation for S seconds is a hang\n"
               "                      (default %.0f, plus what the scenario allows for its settings);\n"
               "                      a round that overruns its time box but keeps completing\n"
               "                      operations is reported as slow, not as a hang\n"
               "  --json FILE         also write each scenario's seconds, rounds, operations, seed and\n"
               "                      result as JSON\n"
               "  --help              this text\n"
               "\n"
               "exit status: 0 passed (slow rounds included), 1 invariant failed, 2 bad command line,\n"
               "3 hang\n"
               "\n"
               "Planted scenarios (named only, never in --all) prove the hang detector's verdicts:\n"
               "planted-lost-wakeup (must be a hang), planted-slowdown (must be slow, not a hang).\n",
               kStallSeconds);
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

constexpr const Scenario* kPlanted[] = {&planted_lost_wakeup_scenario, &planted_slowdown_scenario};

const Scenario* find_scenario(std::string_view name) {
  for (const Scenario* s : kScenarios)
    if (s->name == name) return s;
  for (const Scenario* s : kPlanted)
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
    } else if (flag == "--stall-seconds") {
      cl.stall_seconds = parse_number<double>(flag, value(), 0.1, 1e7);
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

std::string replay_command(const CommandLine& cl, const Scenario& s, std::uint64_t seed, goro::Policy policy,
                           unsigned workers) {
  std::string cmd;
#if defined(GORO_CHAOS)
  if (const char* chaos = std::getenv("GORO_CHAOS_SEED")) cmd += "GORO_CHAOS_SEED=" + std::string(chaos) + " ";
#endif
#if defined(GORO_DETERMINISTIC)
  for (const char* name : {"GORO_DET_SEED", "GORO_DET_STRATEGY", "GORO_DET_PCT_DEPTH", "GORO_DET_PCT_STEPS"}) {
    if (const char* v = std::getenv(name)) cmd += std::string(name) + "=" + v + " ";
  }
#endif
  cmd += cl.program + " " + std::string(s.name) + " --seed " + std::to_string(seed) + " --policy " +
         std::string(goro::to_string(policy)) + " --workers " + std::to_string(workers) + " --seconds " +
         std::to_string(cl.seconds);
  if (s.name == "spawn-storm") cmd += " --spawn-wave " + std::to_string(cl.settings.spawn_wave);
  if (cl.stall_seconds) cmd += " --stall-seconds " + std::to_string(*cl.stall_seconds);
  return cmd;
}

struct Outcome {
  std::uint64_t operations = 0;
  std::uint64_t rounds = 0;
  double seconds = 0;
  bool passed = true;
  bool hung = false;
  std::string failure;  // what broke, and the command that replays it
  std::uint64_t slow_rounds = 0;  // rounds that overran their time box by kSlowSeconds, yet progressed
  double slowest_round_seconds = 0;
  double slowest_round_rate = 0;  // operations per second of that round
};

// Journal is what --json records, kept under a mutex: the watchdog writes it from its own thread
// when a round hangs, so the hung scenario is in the file as failed before the process exits.
class Journal {
 public:
  explicit Journal(const CommandLine& cl, std::uint64_t seed) : cl_(cl), seed_(seed) {}
  void begin(const Scenario* s) {
    std::lock_guard lock(mutex_);
    runs_.emplace_back(s, Outcome{});
  }
  void update(const Outcome& o) {
    std::lock_guard lock(mutex_);
    runs_.back().second = o;
  }
  // write() rewrites the file (nothing without --json); `complete` says every scenario finished.
  void write(bool complete) {
    std::lock_guard lock(mutex_);
    write_locked(complete);
  }
  // hang() records the running scenario as hung and writes the file, marked incomplete. Called
  // from the watchdog thread; it must not throw.
  void hang(const std::string& report) noexcept {
    try {
      std::lock_guard lock(mutex_);
      if (runs_.empty()) return;
      Outcome& o = runs_.back().second;
      o.passed = false;
      o.hung = true;
      o.failure = report;
      write_locked(false);
    } catch (...) {
    }
  }

 private:
  void write_locked(bool complete) {
    if (cl_.json.empty()) return;
#if defined(GORO_CHAOS)
    const char* build = "chaos";
#elif defined(GORO_DETERMINISTIC)
    const char* build = "deterministic";
#elif defined(__SANITIZE_THREAD__)
    const char* build = "tsan";
#elif defined(__SANITIZE_ADDRESS__)
    const char* build = "asan";
#else
    const char* build = "release";
#endif
    using goro::detail::json_quote;
    std::ofstream out(cl_.json);
    out << "{\"kind\": \"stress-run\", \"build\": \"" << build << "\", \"seed\": " << seed_
        << ", \"seconds_per_scenario\": " << cl_.seconds << ", \"policy\": "
        << (cl_.policy ? json_quote(goro::to_string(*cl_.policy)) : std::string("\"rotating\"")) << ", \"workers\": "
        << (cl_.workers ? std::to_string(*cl_.workers) : std::string("\"rotating\""))
        << ", \"complete\": " << (complete ? "true" : "false") << ", \"scenarios\": [";
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const auto& [s, o] = runs_[i];
      out << (i ? ",\n  " : "\n  ") << "{\"name\": " << json_quote(s->name) << ", \"checks\": " << json_quote(s->invariants)
          << ", \"seconds\": " << o.seconds << ", \"rounds\": " << o.rounds << ", \"operations\": " << o.operations
          << ", \"passed\": " << (o.passed ? "true" : "false") << ", \"hung\": " << (o.hung ? "true" : "false")
          << ", \"slow_rounds\": " << o.slow_rounds << ", \"slowest_round_seconds\": " << o.slowest_round_seconds
          << ", \"slowest_round_rate\": " << o.slowest_round_rate << ", \"failure\": " << json_quote(o.failure) << "}";
    }
    out << "\n]}\n";
    if (!out) throw UsageError("--json: cannot write " + cl_.json);
  }

  const CommandLine& cl_;
  const std::uint64_t seed_;
  std::mutex mutex_;
  std::vector<std::pair<const Scenario*, Outcome>> runs_;
};

std::string count(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Round is what the watchdog knows of the round it watches.
struct Round {
  std::string scenario;
  std::string where;   // "round 3, seed 42, policy go, workers 2"
  std::string replay;  // the command that replays it
  Clock::time_point time_box_end;
  double stall_limit = kStallSeconds;
};

// Watchdog: a thread that watches the running round's progress (stress.hpp) and, when no
// operation completes for the round's stall limit, reports the hang, writes it to the journal
// and exits with kExitHang. It also measures the longest stall of a round that does finish.
class Watchdog {
 public:
  explicit Watchdog(Journal& journal) : journal_(journal), thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void arm(Round round) {
    const std::uint64_t operations = Progress::instance().operations();
    std::lock_guard lock(mutex_);
    round_ = std::move(round);
    armed_ = true;
    round_start_operations_ = last_operations_ = operations;
    last_change_ = Clock::now();
    stats_at_change_.reset();
    longest_stall_ = 0;
  }
  // disarm() stops watching; returns the round's longest stall in seconds.
  double disarm() {
    std::lock_guard lock(mutex_);
    armed_ = false;
    return longest_stall_;
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(100));
      if (!armed_) continue;
      const auto now = Clock::now();
      const std::uint64_t operations = Progress::instance().operations();
      if (operations != last_operations_ || !stats_at_change_) {
        if (operations != last_operations_) last_change_ = now;
        last_operations_ = operations;
        stats_at_change_ = Progress::instance().stats();
        if (!stats_at_change_) stats_at_change_ = goro::Stats{};
      }
      const double stall = std::chrono::duration<double>(now - last_change_).count();
      longest_stall_ = std::max(longest_stall_, stall);
      if (stall > round_.stall_limit) {
        const std::string report = hang_report(now, stall);
        journal_.hang(report);
        std::fflush(stdout);
        std::fprintf(stderr, "\n%s\n", report.c_str());
        std::fflush(stderr);
        std::_Exit(kExitHang);
      }
    }
  }

  // hang_report() says which round hung, for how long nothing completed, and what the runtime
  // did meanwhile (its counters since the last completed operation), then how to replay it.
  std::string hang_report(Clock::time_point now, double stall) const {
    char line[512];
    const double past_box = std::chrono::duration<double>(now - round_.time_box_end).count();
    std::snprintf(line, sizeof line,
                  "goro-stress: HANG in %s (%s): no goroutine completed an operation for %.1f s (stall limit "
                  "%.1f s; the round's time box %s %.1f s ago)\n",
                  round_.scenario.c_str(), round_.where.c_str(), stall, round_.stall_limit,
                  past_box >= 0 ? "ended" : "ends in", std::abs(past_box));
    std::string report = line;
    report += "  progress: " + count(last_operations_ - round_start_operations_) +
              " operations completed in this round before the stall\n";
    const std::optional<goro::Stats> now_stats = Progress::instance().stats();
    if (now_stats && stats_at_change_) {
      const goro::Stats& a = *stats_at_change_;
      const goro::Stats& b = *now_stats;
      report += "  runtime (policy " + std::string(b.policy) + ") during the stall: " +
                count(b.context_switches - a.context_switches) + " context switches, " +
                count(b.goroutine_parks - a.goroutine_parks) + " goroutine parks, " +
                count(b.timers_fired - a.timers_fired) + " timers fired, " +
                count(b.goroutines_created - a.goroutines_created) + " goroutines created, " +
                count(b.worker_parks - a.worker_parks) + " worker sleeps; in all " + count(b.goroutines_created) +
                " goroutines created, " + count(b.goroutine_parks) + " parks\n";
      report += b.context_switches == a.context_switches
                    ? "  no goroutine was scheduled during the stall: every goroutine is parked and nothing woke "
                      "it (a lost wake-up, or a deadlock the runtime did not detect)\n"
                    : "  goroutines were scheduled but none completed an operation: the ones the round waits for "
                      "stayed parked while others ran (a lost wake-up), or they spin (a livelock)\n";
    } else {
      report += "  the scenario registered no Runtime: only its operation count is known\n";
    }
    report += "reproduce with:\n  " + round_.replay;
    return report;
  }

  Journal& journal_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool armed_ = false;
  Round round_;
  std::uint64_t round_start_operations_ = 0;
  std::uint64_t last_operations_ = 0;
  Clock::time_point last_change_{};
  std::optional<goro::Stats> stats_at_change_;
  double longest_stall_ = 0;
  std::thread thread_;  // last: started once every member above is constructed
};

Outcome run_scenario(const CommandLine& cl, const Scenario& s, std::uint64_t first_seed, Watchdog& watchdog,
                     Journal& journal) {
  const std::vector<goro::Policy>& policies = goro::all_policies();  // every registered policy, in turn
  static constexpr unsigned kWorkers[] = {2, 4, 1};
  const double stall_limit = cl.stall_seconds.value_or(kStallSeconds + (s.quiet_seconds ? s.quiet_seconds(cl.settings) : 0.0));
  Outcome out;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cl.seconds));
  std::uint64_t seed = first_seed;
  for (std::uint64_t k = 0; out.rounds == 0 || Clock::now() < end; ++k, seed = next_round_seed(seed)) {
    const goro::Policy policy = cl.policy.value_or(policies[k % policies.size()]);
    const unsigned workers = cl.workers.value_or(kWorkers[(k / policies.size()) % 3]);
    const auto round_start = Clock::now();
    const auto round_deadline =
        std::min(end, round_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kRoundSeconds)));
    const std::string replay = replay_command(cl, s, seed, policy, workers);
    const std::string where = "round " + std::to_string(k) + ", seed " + std::to_string(seed) + ", policy " +
                              std::string(goro::to_string(policy)) + ", workers " + std::to_string(workers);
    watchdog.arm(Round{std::string(s.name), where, replay, round_deadline, stall_limit});
    RoundContext ctx{seed, policy, workers, round_deadline, &cl.settings};
    std::string failure;
    std::uint64_t operations = 0;
    try {
      operations = s.round(ctx);
    } catch (const Failure& e) {
      failure = e.what();
    } catch (const std::exception& e) {
      failure = std::string("unexpected exception escaped the round: ") + e.what();
    } catch (...) {
      failure = "unexpected non-std exception escaped the round";
    }
    const double longest_stall = watchdog.disarm();
    const auto round_end = Clock::now();
    out.operations += operations;
    ++out.rounds;
    const double round_seconds = std::chrono::duration<double>(round_end - round_start).count();
    const double overrun = std::chrono::duration<double>(round_end - round_deadline).count();
    if (failure.empty() && overrun > kSlowSeconds) {
      const double rate = static_cast<double>(operations) / std::max(round_seconds, 1e-9);
      std::fprintf(stderr,
                   "goro-stress: SLOW %.*s (%s): the round took %.1f s for a %.2f s time box, %s operations at "
                   "%.0f ops/s; the longest stall was %.1f s (hang limit %.1f s) — slow, not stuck\n",
                   static_cast<int>(s.name.size()), s.name.data(), where.c_str(), round_seconds,
                   std::chrono::duration<double>(round_deadline - round_start).count(), count(operations).c_str(), rate,
                   longest_stall, stall_limit);
      ++out.slow_rounds;
      if (round_seconds > out.slowest_round_seconds) {
        out.slowest_round_seconds = round_seconds;
        out.slowest_round_rate = rate;
      }
    }
    if (!failure.empty()) {
      std::fprintf(stderr,
                   "\ngoro-stress: FAILED %.*s (%s)\n  %s\nreproduce with:\n  %s\n", static_cast<int>(s.name.size()),
                   s.name.data(), where.c_str(), failure.c_str(), replay.c_str());
      out.passed = false;
      out.failure = failure + " (round " + std::to_string(k) + ", seed " + std::to_string(seed) + "); reproduce with: " + replay;
    }
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    journal.update(out);
    if (!out.passed) break;
  }
  return out;
}

int main_checked(int argc, char** argv) {
  CommandLine cl = parse(argc, argv);
  if (cl.list) {
    auto print = [](const Scenario* s) {
      std::printf("%-20.*s %.*s\n", static_cast<int>(s->name.size()), s->name.data(), static_cast<int>(s->summary.size()),
                  s->summary.data());
      std::printf("%-20s checks: %.*s\n", "", static_cast<int>(s->invariants.size()), s->invariants.data());
    };
    for (const Scenario* s : kScenarios) print(s);
    std::printf("\nplanted (named only, never in --all):\n");
    for (const Scenario* s : kPlanted) print(s);
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
  Journal journal(cl, seed);
  Watchdog watchdog(journal);
  bool all_passed = true;
  std::printf("%-20s %8s %7s %14s %14s  %s\n", "scenario", "seconds", "rounds", "operations", "ops/s", "result");
  std::vector<const Scenario*> order;
  for (const Scenario* s : kScenarios)
    if (std::find(cl.scenarios.begin(), cl.scenarios.end(), s) != cl.scenarios.end()) order.push_back(s);
  for (const Scenario* s : kPlanted)
    if (std::find(cl.scenarios.begin(), cl.scenarios.end(), s) != cl.scenarios.end()) order.push_back(s);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Scenario* s = order[i];
    journal.begin(s);
    journal.write(false);  // the scenario is in the file before it runs: a crash leaves it incomplete
    const Outcome o = run_scenario(cl, *s, seed, watchdog, journal);
    std::printf("%-20.*s %8.2f %7llu %14llu %14.0f  %s\n", static_cast<int>(s->name.size()), s->name.data(), o.seconds,
                static_cast<unsigned long long>(o.rounds), static_cast<unsigned long long>(o.operations),
                o.operations / std::max(o.seconds, 1e-9),
                !o.passed ? "FAILED" : o.slow_rounds ? ("ok, " + std::to_string(o.slow_rounds) + " slow").c_str() : "ok");
    std::fflush(stdout);
    all_passed = all_passed && o.passed;
    journal.write(i + 1 == order.size());  // rewritten per scenario: complete once the last one ends
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
