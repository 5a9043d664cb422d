// trace_test.cpp — the execution tracer (runtime/src/trace.hpp, issue 16): GORO_TRACE /
// Options::trace write a Chrome trace-event file that is well formed and tells the truth.
//
// Well formed (check_trace below, proven by the planted traces at the end of this file):
//   - the schema Perfetto and chrome://tracing load: a traceEvents array whose events carry ph,
//     pid, tid, name, and ts (dur ≥ 0 for "X" complete slices);
//   - on one worker (tid) slices nest properly or follow each other, never partly overlap;
//   - every goroutine's story reads spawn → run … → exit, where a run ending in a park is
//     followed by a ready (by its waker, or by the wind-down) before it runs again, and every
//     run starts no earlier than the spawn, ready or yield that made it runnable.
// Truthful: the trace's event counts equal the Runtime's Stats counters for the same run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "goro/goro.hpp"
#include "goro_test.hpp"
#include "trace_json.hpp"

namespace goro::testing {
namespace {

using json::Value;

// ---------------------------------------------------------------- the well-formedness check

std::string describe(const Value& e) {
  std::ostringstream out;
  out << (e.has("name") ? e["name"].string : "?") << " at ts " << (e.has("ts") ? e["ts"].number : -1.0);
  return out.str();
}

// check_trace() returns every way `doc` breaks the rules in the file comment (empty: well formed).
std::vector<std::string> check_trace(const Value& doc) {
  std::vector<std::string> problems;
  if (!doc.has("traceEvents") || doc["traceEvents"].type != Value::Type::array) return {"no traceEvents array"};
  // Times in whole nanoseconds (the file prints µs to 3 decimals): a slice ending where the
  // next begins must compare equal, which doubles summed from decimals do not.
  auto ns = [](double us) { return static_cast<long long>(std::llround(us * 1000)); };
  struct Slice {
    long long start, end;
    std::string name;
  };
  std::map<double, std::vector<Slice>> slices_by_tid;
  struct Step {
    double at;
    int rank;  // orders equal times: spawn/ready (0) before the run they allow (1)
    std::string what;  // spawn, ready, run:<end>
    double end;
  };
  std::map<double, std::vector<Step>> steps_by_goroutine;
  for (const Value& e : doc["traceEvents"].array) {
    for (const char* key : {"ph", "pid", "tid", "name"}) {
      if (!e.has(key)) problems.push_back("an event without " + std::string(key));
    }
    if (!e.has("ph") || !e.has("tid")) continue;
    const std::string& ph = e["ph"].string;
    if (ph == "M") continue;
    if (!e.has("ts") || e["ts"].type != Value::Type::number || e["ts"].number < 0) {
      problems.push_back("an event without a valid ts: " + describe(e));
      continue;
    }
    const double ts = e["ts"].number;
    if (ph == "X") {
      if (!e.has("dur") || e["dur"].number < 0) {
        problems.push_back("a complete slice without dur >= 0: " + describe(e));
        continue;
      }
      slices_by_tid[e["tid"].number].push_back({ns(ts), ns(ts) + ns(e["dur"].number), describe(e)});
      if (e.has("cat") && e["cat"].string == "run") {
        steps_by_goroutine[e["args"]["g"].number].push_back({ts, 1, "run:" + e["args"]["end"].string, ts + e["dur"].number});
      }
    } else if (ph == "i") {
      if (e["name"].string == "spawn") steps_by_goroutine[e["args"]["g"].number].push_back({ts, 0, "spawn", ts});
      if (e["name"].string == "ready") steps_by_goroutine[e["args"]["g"].number].push_back({ts, 0, "ready", ts});
    } else {
      problems.push_back("an event of unexpected phase '" + ph + "': " + describe(e));
    }
  }
  // Slices on one worker: a stack of open slices; each new one must start after or inside the top.
  for (auto& [tid, slices] : slices_by_tid) {
    std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
      return a.start != b.start ? a.start < b.start : a.end > b.end;
    });
    std::vector<Slice> open;
    for (const Slice& s : slices) {
      while (!open.empty() && open.back().end <= s.start) open.pop_back();
      if (!open.empty() && s.end > open.back().end) {
        problems.push_back("on tid " + std::to_string(static_cast<int>(tid)) + ", " + s.name + " overlaps " + open.back().name);
      }
      open.push_back(s);
    }
  }
  // Each goroutine's story.
  for (auto& [g, steps] : steps_by_goroutine) {
    std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.at != b.at ? a.at < b.at : a.rank < b.rank; });
    const std::string who = "G" + std::to_string(static_cast<long long>(g));
    std::string state = "none";  // none → runnable → (run) → runnable | parked | dead
    double since = 0;
    for (const Step& step : steps) {
      if (step.what == "spawn") {
        if (state != "none") problems.push_back(who + " spawned twice");
        state = "runnable";
      } else if (step.what == "ready") {
        if (state != "parked") problems.push_back(who + " readied while " + state);
        if (state == "parked" && step.at < since) problems.push_back(who + " readied before its park ended");
        state = "runnable";
      } else {
        if (state != "runnable") problems.push_back(who + " ran while " + state);
        if (step.at < since) problems.push_back(who + " ran before it was runnable");
        const std::string end = step.what.substr(4);
        state = end == "park" ? "parked" : end == "yield" ? "runnable" : "dead";
      }
      since = step.what.rfind("run:", 0) == 0 ? step.end : step.at;
    }
    if (state == "parked") problems.push_back(who + " parked and was never readied (nor wound down)");
    if (state == "runnable") problems.push_back(who + " was runnable and never ran again");
  }
  return problems;
}

// ---------------------------------------------------------------- helpers

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("goro-trace-" + std::to_string(::getpid()) + "-" + name + ".json")).string();
}

Value read_trace(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "no trace file at " << path;
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

std::size_t count(const Value& doc, const std::string& name, const std::string& ph) {
  return static_cast<std::size_t>(std::count_if(doc["traceEvents"].array.begin(), doc["traceEvents"].array.end(),
                                                [&](const Value& e) { return e["name"].string == name && e["ph"].string == ph; }));
}

// A program that parks in every way the tracer names: channels both ways, select, a contended
// mutex, a WaitGroup, sleep — and spawns, yields and (at 2 workers) hands work across workers.
void mixed_program() {
  auto ping = make_chan<int>();
  auto pong = make_chan<int>();
  auto quit = make_chan<int>();
  WaitGroup wg;
  Mutex mutex;
  int shared = 0;
  wg.add(1);
  go([ping, pong, &wg]() mutable {
    while (auto v = ping.recv()) pong.send(*v + 1);
    wg.done();
  });
  for (int i = 0; i < 200; ++i) {
    ping.send(i);
    EXPECT_EQ(*pong.recv(), i + 1);
  }
  ping.close();
  // One park of each kind for certain, whatever the schedule: each partner sleeps 20 ms — far
  // longer than any spin budget or hand-off — before it does its half, so main's operation parks.
  // (The ping-pong above and the lockers below may, at 2 workers, never park on a send, or get
  // the lock by spinning and finish before main waits — under TSan they did.)
  auto late = make_chan<int>();
  go([late]() mutable {
    sleep_for(std::chrono::milliseconds(20));
    late.recv();  // main's send() parks
    sleep_for(std::chrono::milliseconds(20));
    late.send(2);  // main's recv() parks
  });
  late.send(1);
  EXPECT_EQ(*late.recv(), 2);
  auto locked = make_chan<int>();
  WaitGroup held;
  held.add(1);
  go([&, locked]() mutable {
    mutex.lock();
    locked.send(1);
    sleep_for(std::chrono::milliseconds(20));
    mutex.unlock();  // main's lock() parked
    sleep_for(std::chrono::milliseconds(20));
    held.done();  // main's wait() parked
  });
  locked.recv();
  mutex.lock();
  mutex.unlock();
  held.wait();
  WaitGroup lockers;
  for (int k = 0; k < 8; ++k) {
    lockers.add(1);
    go([&] {
      for (int i = 0; i < 50; ++i) {
        mutex.lock();
        ++shared;
        yield();  // hold the lock across a switch: the others park on it
        mutex.unlock();
      }
      lockers.done();
    });
  }
  lockers.wait();  // they have not finished yet: main parks on the WaitGroup
  wg.add(1);
  go([&, quit]() mutable {
    sleep_for(std::chrono::milliseconds(2));
    quit.send(1);
    wg.done();
  });
  auto never = make_chan<int>();
  bool done = false;
  while (!done) {
    select(case_recv(quit, [&](std::optional<int>) { done = true; }), case_recv(never, [](std::optional<int>) {}));
  }
  wg.wait();
  EXPECT_EQ(shared, 8 * 50);
  // A goroutine still parked when main returns: the wind-down readies it. main waits until it
  // started and then sleeps, so it has parked by the time main returns (one yield was not
  // enough at 2 workers: the other worker could take main back before the goroutine parked).
  std::atomic<bool> started{false};
  go([never, &started]() mutable {
    started.store(true);
    never.recv();
  });
  while (!started.load()) yield();
  sleep_for(std::chrono::milliseconds(5));
}

class Trace : public ::testing::TestWithParam<Config> {
 protected:
  Options traced_options(const std::string& path) const {
    Options o;
    o.policy = GetParam().policy;
    o.workers = GetParam().workers;
    o.trace = path;
    return o;
  }
};
INSTANTIATE_TEST_SUITE_P(, Trace, ::testing::ValuesIn(all_configs()), config_name);

// ---------------------------------------------------------------- traced runs of every policy

TEST_P(Trace, EveryPolicyWritesAWellFormedTraceThatAgreesWithStats) {
  const std::string path = temp_path(config_name(::testing::TestParamInfo<Config>(GetParam(), 0)));
  Stats stats;
  {
    Runtime rt(traced_options(path));
    rt.run(mixed_program);
    stats = rt.stats();
  }  // the file is written when the Runtime ends
  const Value doc = read_trace(path);
  std::filesystem::remove(path);
  for (const std::string& problem : check_trace(doc)) ADD_FAILURE() << problem;
  EXPECT_EQ(doc["otherData"]["dropped"].number, 0) << "a small run loses no events";
  EXPECT_EQ(doc["otherData"]["policy"].string, std::string(to_string(GetParam().policy)));
  EXPECT_EQ(doc["otherData"]["workers"].number, GetParam().workers);
  EXPECT_EQ(count(doc, "spawn", "i"), stats.goroutines_created);
  EXPECT_EQ(count(doc, "steal", "i"), stats.steals);
  // Idle events: stats() is read when run() returns, while the workers go idle, and the trace
  // ends when the Runtime does — each worker may spin, sleep (and be woken) once in between.
  const auto idle_bound = [&](const char* name, const char* ph, std::uint64_t counted) {
    EXPECT_GE(count(doc, name, ph), counted) << name;
    EXPECT_LE(count(doc, name, ph), counted + GetParam().workers) << name;
  };
  idle_bound("sleep", "X", stats.worker_parks);
  idle_bound("spin", "X", stats.worker_spins);
  idle_bound("wake", "i", stats.worker_wakes);
  EXPECT_EQ(count(doc, "ready", "i"), stats.goroutine_parks) << "every committed park is readied once";
  std::size_t slices = 0, fired = 0;
  std::set<std::string> reasons;
  bool wound_down = false;
  for (const Value& e : doc["traceEvents"].array) {
    if (e["ph"].string == "X" && e["cat"].string == "run") {
      ++slices;
      if (e["args"]["end"].string == "park") reasons.insert(e["args"]["reason"].string);
    }
    if (e["name"].string == "timers") fired += static_cast<std::size_t>(e["args"]["fired"].number);
    if (e["name"].string == "ready" && e["args"]["by"].type == Value::Type::string && e["args"]["by"].string == "wind-down") {
      wound_down = true;
    }
  }
  EXPECT_EQ(slices, stats.context_switches) << "one run slice per switch into a goroutine";
  EXPECT_EQ(fired, stats.timers_fired);
  for (const char* reason : {"chan send", "chan recv", "select", "mutex", "waitgroup", "sleep"}) {
    EXPECT_TRUE(reasons.count(reason)) << "no park with reason '" << reason << "'";
  }
  EXPECT_TRUE(wound_down) << "the goroutine parked at the end is readied by the wind-down";
}

TEST_P(Trace, GoroTraceEnvironmentVariableIsTheDefault) {
  const std::string path = temp_path("env-" + config_name(::testing::TestParamInfo<Config>(GetParam(), 0)));
  ::setenv("GORO_TRACE", path.c_str(), 1);
  Options o;
  ::unsetenv("GORO_TRACE");
  EXPECT_EQ(o.trace, path);
  o.policy = GetParam().policy;
  o.workers = GetParam().workers;
  { Runtime(o).run([] { go([] {}); }); }
  EXPECT_TRUE(check_trace(read_trace(path)).empty());
  std::filesystem::remove(path);
}

TEST(TraceOff, NoPathWritesNoFileAndAnUnwritablePathDoesNotStopTheProgram) {
  Options o;
  EXPECT_EQ(o.trace, "") << "off unless GORO_TRACE or Options::trace says where";
  o.trace = "/nonexistent-dir/goro/trace.json";
  int result = 0;
  {
    Runtime rt(o);
    result = rt.run([] { return 7; });
  }  // writing fails: a message on stderr, no exception from a destructor
  EXPECT_EQ(result, 7);
  EXPECT_FALSE(std::filesystem::exists(o.trace));
}

// ---------------------------------------------------------------- the check, proven by planted traces

Value planted(const std::string& events) { return json::parse(R"({"traceEvents":[)" + events + "]}"); }

TEST(TraceCheck, AcceptsAWellFormedStory) {
  EXPECT_TRUE(check_trace(planted(R"(
    {"ph":"i","pid":1,"tid":0,"ts":1,"name":"spawn","args":{"g":5,"parent":0}},
    {"ph":"X","pid":1,"tid":0,"ts":2,"dur":3,"name":"G5","cat":"run","args":{"g":5,"end":"park","reason":"chan recv"}},
    {"ph":"i","pid":1,"tid":1,"ts":6,"name":"ready","args":{"g":5,"by":9}},
    {"ph":"X","pid":1,"tid":1,"ts":7,"dur":1,"name":"G5","cat":"run","args":{"g":5,"end":"exit"}})")).empty());
}

TEST(TraceCheck, CatchesPartlyOverlappingSlicesOnOneWorker) {
  const auto problems = check_trace(planted(R"(
    {"ph":"X","pid":1,"tid":0,"ts":1,"dur":5,"name":"spin","cat":"idle","args":{}},
    {"ph":"X","pid":1,"tid":0,"ts":4,"dur":5,"name":"sleep","cat":"idle","args":{}})"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("overlaps"), std::string::npos) << problems[0];
}

TEST(TraceCheck, CatchesAParkNeverReadied) {
  const auto problems = check_trace(planted(R"(
    {"ph":"i","pid":1,"tid":0,"ts":1,"name":"spawn","args":{"g":5,"parent":0}},
    {"ph":"X","pid":1,"tid":0,"ts":2,"dur":3,"name":"G5","cat":"run","args":{"g":5,"end":"park","reason":"mutex"}})"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("never readied"), std::string::npos) << problems[0];
}

TEST(TraceCheck, CatchesARunWithoutAReadyAndAReadyBeforeItsPark) {
  const auto problems = check_trace(planted(R"(
    {"ph":"i","pid":1,"tid":0,"ts":1,"name":"spawn","args":{"g":5,"parent":0}},
    {"ph":"X","pid":1,"tid":0,"ts":2,"dur":3,"name":"G5","cat":"run","args":{"g":5,"end":"park","reason":"sleep"}},
    {"ph":"X","pid":1,"tid":0,"ts":6,"dur":1,"name":"G5","cat":"run","args":{"g":5,"end":"exit"}},
    {"ph":"i","pid":1,"tid":0,"ts":1,"name":"spawn","args":{"g":6,"parent":0}},
    {"ph":"X","pid":1,"tid":1,"ts":2,"dur":3,"name":"G6","cat":"run","args":{"g":6,"end":"park","reason":"sleep"}},
    {"ph":"i","pid":1,"tid":0,"ts":4,"name":"ready","args":{"g":6,"by":"worker"}},
    {"ph":"X","pid":1,"tid":1,"ts":6,"dur":1,"name":"G6","cat":"run","args":{"g":6,"end":"exit"}})"));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("G5 ran while parked"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("G6 readied before its park ended"), std::string::npos) << problems[1];
}

TEST(TraceCheck, CatchesMissingSchemaFields) {
  const auto problems = check_trace(planted(R"(
    {"ph":"X","pid":1,"tid":0,"ts":1,"name":"spin","cat":"idle"},
    {"ph":"i","pid":1,"ts":1,"name":"wake"})"));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("without dur"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("without tid"), std::string::npos) << problems[1];
}

}  // namespace
}  // namespace goro::testing
