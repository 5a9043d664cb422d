// deterministic_test.cpp — the deterministic world as a specification: the same seed gives the
// same schedule (Shuttle's check_determinism), the seed matters, planted bugs are found and
// replay from their one line and from a schedule file, hangs stop with 86 and a reproducing
// line, timers run on virtual time, and bad settings are refused. Each case runs
// goro_explore_programs (explore_programs.cpp, linked against goro::deterministic) as a child.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string err;                          // the child's stderr
  std::map<std::string, std::string> report;  // GORO_DET_REPORT's fields (strings, unquoted)
  double seconds = 0;
  std::string field(const std::string& key) const {
    auto it = report.find(key);
    return it != report.end() ? it->second : std::string();
  }
};

std::string temp_path(const std::string& tag) {
  return testing::TempDir() + "goro_det_" + std::to_string(::getpid()) + "_" + tag;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// parse_report() reads the flat one-line JSON object the scheduler writes.
std::map<std::string, std::string> parse_report(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while ((i = text.find('"', i)) != std::string::npos) {
    const std::size_t key_end = text.find('"', i + 1);
    const std::string key = text.substr(i + 1, key_end - i - 1);
    std::size_t v = text.find(':', key_end) + 1;
    while (text[v] == ' ') ++v;
    std::size_t v_end;
    if (text[v] == '"') {
      v_end = text.find('"', v + 1);
      out[key] = text.substr(v + 1, v_end - v - 1);
      ++v_end;
    } else {
      v_end = text.find_first_of(",}", v);
      out[key] = text.substr(v, v_end - v);
    }
    i = v_end;
  }
  return out;
}

// run() runs `env_prefix PROGRAM scenario` through the shell (env_prefix: VAR=value ...).
Outcome run_shell(const std::string& command) {
  static int counter = 0;
  const std::string report = temp_path("report" + std::to_string(counter));
  const std::string err = temp_path("err" + std::to_string(counter++));
  std::remove(report.c_str());
  const std::string full = "GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1 GORO_DET_REPORT=" +
                           report + " " + command + " >/dev/null 2>" + err;
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system(full.c_str());
  Outcome o;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.err = slurp(err);
  o.report = parse_report(slurp(report));
  return o;
}

Outcome run(const std::string& scenario, const std::string& env) {
  return run_shell(env + " " + GORO_EXPLORE_PROGRAMS + " " + scenario);
}

std::string seed_env(const std::string& strategy, int seed) {
  std::string env = "GORO_DET_STRATEGY=" + strategy + " GORO_DET_SEED=" + std::to_string(seed);
  if (strategy == "pct") env += " GORO_DET_PCT_DEPTH=3 GORO_DET_PCT_STEPS=2000";
  return env;
}

// first_failure() — the first seed in [1, limit] whose run exits with `code`.
std::optional<int> first_failure(const std::string& scenario, const std::string& strategy, int code, int limit) {
  for (int seed = 1; seed <= limit; ++seed) {
    if (run(scenario, seed_env(strategy, seed)).exit_code == code) return seed;
  }
  return std::nullopt;
}

TEST(Deterministic, TheSameSeedGivesTheSameScheduleAndTheSeedMatters) {
  for (const char* strategy : {"random", "pct"}) {
    std::set<std::string> hashes;
    for (int seed = 1; seed <= 4; ++seed) {
      const Outcome first = run("pingpong", seed_env(strategy, seed));
      const Outcome second = run("pingpong", seed_env(strategy, seed));
      ASSERT_EQ(first.exit_code, 0) << first.err;
      ASSERT_FALSE(first.field("hash").empty()) << "no report written";
      EXPECT_EQ(first.field("hash"), second.field("hash")) << strategy << " seed " << seed;
      EXPECT_EQ(first.field("steps"), second.field("steps")) << strategy << " seed " << seed;
      hashes.insert(first.field("hash"));
    }
    EXPECT_GE(hashes.size(), 3u) << strategy << ": different seeds should explore different schedules";
  }
}

TEST(Deterministic, FindsALostUpdateAndReplaysItTenTimesOutOfTen) {
  const auto seed = first_failure("lost_update", "random", 1, 50);
  ASSERT_TRUE(seed) << "random walk found no lost update in 50 seeds";
  const Outcome found = run("lost_update", seed_env("random", *seed));
  for (int i = 0; i < 10; ++i) {
    const Outcome again = run("lost_update", seed_env("random", *seed));
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_EQ(again.field("hash"), found.field("hash"));
  }
}

TEST(Deterministic, ASavedScheduleReplaysWithoutTheSeed) {
  const auto seed = first_failure("lost_update", "random", 1, 50);
  ASSERT_TRUE(seed);
  const std::string schedule = temp_path("schedule");
  const Outcome recorded = run("lost_update", seed_env("random", *seed) + " GORO_DET_RECORD=" + schedule);
  ASSERT_EQ(recorded.exit_code, 1);
  const Outcome replayed = run("lost_update", "GORO_DET_SEED=999 GORO_DET_REPLAY=" + schedule);
  EXPECT_EQ(replayed.exit_code, 1) << replayed.err;
  EXPECT_EQ(replayed.field("hash"), recorded.field("hash"));
  EXPECT_EQ(replayed.field("steps"), recorded.field("steps"));
}

TEST(Deterministic, AHangStopsWith86AndALineThatReproducesIt) {
  const auto seed = first_failure("abba", "random", 86, 60);
  ASSERT_TRUE(seed) << "random walk never reached the lock-order deadlock in 60 seeds";
  const Outcome hang = run("abba", seed_env("random", *seed));
  const std::string marker = "goro-det: reproduce: ";
  const std::size_t at = hang.err.find(marker);
  ASSERT_NE(at, std::string::npos) << hang.err;
  const std::string line = hang.err.substr(at + marker.size(), hang.err.find('\n', at) - at - marker.size());
  EXPECT_NE(hang.err.find("blocked"), std::string::npos) << "the thread states are printed: " << hang.err;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(run_shell(line).exit_code, 86) << line;
}

TEST(Deterministic, ALostWakeUpWithThreeGoroutinesAndATimerIsFound) {
  const auto by_random = first_failure("lost_wakeup", "random", 1, 200);
  const auto by_pct = first_failure("lost_wakeup", "pct", 1, 200);
  EXPECT_TRUE(by_random || by_pct) << "neither strategy found the lost wake-up in 200 seeds";
}

// A replay stopped at the failing step (GORO_DET_STOP_AT = the report's failing_step) exits 88 and
// shows the world there: the threads, and the live goroutines read from the runtime's registry.
TEST(Deterministic, AReplayStopsAtTheFailingStepAndShowsTheGoroutines) {
  const auto seed = first_failure("lost_update", "random", 1, 50);
  ASSERT_TRUE(seed);
  const Outcome failed = run("lost_update", seed_env("random", *seed));
  const std::string step = failed.field("failing_step");
  ASSERT_FALSE(step.empty());
  ASSERT_GT(std::stoll(step), 0) << "the escaping PlantedBug is the failing step: " << failed.err;
  const Outcome stopped = run("lost_update", seed_env("random", *seed) + " GORO_DET_STOP_AT=" + step);
  EXPECT_EQ(stopped.exit_code, 88) << stopped.err;
  EXPECT_NE(stopped.err.find("stopped at step " + step + ": a goroutine failed: lost_update"), std::string::npos)
      << stopped.err;
  EXPECT_NE(stopped.err.find("goroutine 1: running on worker"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("live goroutine"), std::string::npos) << stopped.err;
}

// The two planted bugs that show only in whole programs: a lost wake-up that needs two waiters,
// a releaser and a timer; a policy that loses a goroutine a thief steals from a parking worker.
TEST(Deterministic, TheBugsThatNeedScaleAreFound) {
  EXPECT_TRUE(first_failure("edge_wakeup", "random", 1, 100)) << "edge_wakeup: no lost wake-up in 100 seeds";
  EXPECT_TRUE(first_failure("parking_steal", "random", 86, 100)) << "parking_steal: no lost goroutine in 100 seeds";
  EXPECT_FALSE(first_failure("spawn_storm_steal", "random", 86, 20)) << "the correct policy lost a goroutine";
}

TEST(Deterministic, TimersRunOnVirtualTime) {
  const Outcome o = run("timers", seed_env("random", 7));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  // 200 sleepers up to 2 s of virtual time, in (much) less real time.
  EXPECT_GE(std::stoll(o.field("virtual_ns")), 1'900'000'000LL);
  EXPECT_LT(o.seconds, 1.9);
}

TEST(Deterministic, BadSettingsAreRefusedWithExitCode2) {
  EXPECT_EQ(run("pingpong", "GORO_DET_STRATEGY=bogus").exit_code, 2);
  EXPECT_EQ(run("pingpong", "GORO_DET_SEED=x1").exit_code, 2);
  EXPECT_EQ(run("pingpong", "GORO_DET_PCT_DEPTH=0").exit_code, 2);
  EXPECT_EQ(run("pingpong", "GORO_DET_REPLAY=/nonexistent/schedule").exit_code, 2);
  EXPECT_EQ(run("pingpong", "GORO_DET_STOP_AT=0").exit_code, 2);
}

}  // namespace
