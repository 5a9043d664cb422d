// explore_programs.cpp — small whole programs for the deterministic world (goro::deterministic):
// correct ones (the determinism self-check, virtual time) and planted bugs that show only under
// some schedules, which `scripts/suite explore` and deterministic_test.cpp must find and replay.
//
//   goro_explore_programs SCENARIO     exit 0: the run was correct; 1: the planted bug showed
//                                      (86/87: the deterministic scheduler stopped a hang/livelock)
// The planted bugs are algorithms written against the Sync contract (goro::PolicySync), as a
// user's would be: their atomics and locks are the scheduler's decision points.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <goro/goro.hpp>
#include <goro/policy.hpp>

namespace {

using Sync = goro::PolicySync;
using namespace std::chrono_literals;

struct PlantedBug : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// pingpong: a correct program — two goroutines hand a token back and forth, a third counts.
int pingpong(goro::Runtime& rt) {
  return rt.run([] {
    auto ping = goro::make_chan<int>();
    auto pong = goro::make_chan<int>();
    auto done = goro::make_chan<int>(1);
    goro::go([=]() mutable {
      for (int i = 0; i < 20; ++i) pong.send(*ping.recv() + 1);
    });
    goro::go([=]() mutable {
      int v = 0;
      for (int i = 0; i < 20; ++i) {
        ping.send(v);
        v = *pong.recv();
      }
      done.send(v);
    });
    return *done.recv() == 20 ? 0 : 1;
  });
}

// timers: a timer-heavy correct program — 200 sleepers over 2 s of virtual time, a ticker and
// after(); under virtual time it takes no real time, and every sleeper wakes at or after its
// deadline (checked on the same clock).
int timers(goro::Runtime& rt) {
  return rt.run([] {
    goro::WaitGroup wg;
    Sync::atomic<int> late{0};
    for (int i = 0; i < 200; ++i) {
      wg.add(1);
      goro::go([&wg, &late, i] {
        const auto start = goro::Clock::now();
        const auto d = std::chrono::milliseconds(1 + (i * 37) % 2000);
        goro::sleep_for(d);
        if (goro::Clock::now() - start < d) late.fetch_add(1);
        wg.done();
      });
    }
    goro::Ticker ticker(100ms);
    int ticks = 0;
    auto timeout = goro::after(1050ms);
    for (bool running = true; running;) {
      goro::select(goro::case_recv(ticker.chan(), [&](auto) { ++ticks; }),
                   goro::case_recv(timeout, [&](auto) { running = false; }));
    }
    wg.wait();
    if (late.load() != 0 || ticks != 10) {
      std::fprintf(stderr, "timers: %d sleepers woke early, %d ticks (want 10)\n", late.load(), ticks);
      return 1;
    }
    return 0;
  });
}

// lost_update (planted): two goroutines increment a counter with a load and a store instead of
// a read-modify-write — an increment is lost when the other's store falls between them.
int lost_update(goro::Runtime& rt) {
  return rt.run([] {
    Sync::atomic<int> counter{0};
    goro::WaitGroup wg;
    for (int g = 0; g < 2; ++g) {
      wg.add(1);
      goro::go([&] {
        for (int i = 0; i < 3; ++i) counter.store(counter.load() + 1);  // PLANTED: not fetch_add
        wg.done();
      });
    }
    wg.wait();
    if (counter.load() != 6) throw PlantedBug("lost_update: counter is " + std::to_string(counter.load()) + ", want 6");
    return 0;
  });
}

// abba (planted): two goroutines take two locks in opposite orders — a deadlock of the worker
// threads themselves (spin locks: no goroutine parks), which only some interleavings reach.
int abba(goro::Runtime& rt) {
  return rt.run([] {
    Sync::mutex a, b;
    int shared = 0;
    goro::WaitGroup wg;
    wg.add(2);
    goro::go([&] {
      a.lock();
      b.lock();  // PLANTED: the other goroutine takes b, then a
      ++shared;
      b.unlock();
      a.unlock();
      wg.done();
    });
    goro::go([&] {
      b.lock();
      a.lock();
      ++shared;
      a.unlock();
      b.unlock();
      wg.done();
    });
    wg.wait();
    return shared == 2 ? 0 : 1;
  });
}

// lost_wakeup (planted; three goroutines and a timer): a one-shot event built from two flags
// and a channel. The waiter checks `ready`, then announces itself in `waiting` and blocks; the
// setter, woken by its timer, sets `ready` and sends only if it sees `waiting`. Check-then-act on
// both sides: when the setter's two steps fall between the waiter's, the wake-up is lost and
// only the waiter's deadline (a second timer) ends its wait. main joins both.
int lost_wakeup(goro::Runtime& rt) {
  return rt.run([] {
    Sync::atomic<bool> ready{false};
    Sync::atomic<bool> waiting{false};
    auto wake = goro::make_chan<int>(1);
    auto result = goro::make_chan<bool>(1);
    goro::go([=, &ready, &waiting]() mutable {  // the waiter
      goro::sleep_for(1ms);
      bool woken = true;
      if (!ready.load()) {
        waiting.store(true);  // PLANTED: announced after the check, not atomically with it
        goro::select(goro::case_recv(wake, [&](auto) {}), goro::case_recv(goro::after(50ms), [&](auto) { woken = false; }));
      }
      result.send(woken);
    });
    goro::go([=, &ready, &waiting]() mutable {  // the setter
      goro::sleep_for(1ms);
      ready.store(true);
      if (waiting.load()) wake.send(1);
    });
    if (!*result.recv()) throw PlantedBug("lost_wakeup: the waiter was never woken (its 50 ms deadline ended the wait)");
    return 0;
  });
}

struct Scenario {
  const char* name;
  int (*run)(goro::Runtime&);
  const char* about;
};
const Scenario kScenarios[] = {
    {"pingpong", &pingpong, "correct: a token passed back and forth over unbuffered channels"},
    {"timers", &timers, "correct: 200 sleepers, a ticker and after() over 2 s of virtual time"},
    {"lost_update", &lost_update, "planted: increments by load + store lose updates"},
    {"abba", &abba, "planted: two locks taken in opposite orders (hangs the workers)"},
    {"lost_wakeup", &lost_wakeup, "planted: a check-then-act event loses a wake-up (3 goroutines, a timer)"},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "--list") == 0) {
    std::FILE* out = argc == 2 ? stdout : stderr;
    std::fprintf(out, "usage: %s SCENARIO   (run under the goro::deterministic runtime)\nscenarios:\n", argv[0]);
    for (const Scenario& s : kScenarios) std::fprintf(out, "  %-12s %s\n", s.name, s.about);
    return argc == 2 ? 0 : 2;
  }
  for (const Scenario& s : kScenarios) {
    if (std::strcmp(argv[1], s.name) != 0) continue;
    try {
      goro::Runtime rt;
      return s.run(rt);
    } catch (const PlantedBug& bug) {
      std::fprintf(stderr, "FAILED: %s\n", bug.what());
      return 1;
    }
  }
  std::fprintf(stderr, "%s: unknown scenario '%s' (--list shows them)\n", argv[0], argv[1]);
  return 2;
}
