// explore_programs.cpp — small whole programs for the deterministic world (goro::deterministic):
// correct ones (the determinism self-check, virtual time, and the scenarios the semantic mutants
// of runtime/tests/property/mutants.json must break) and planted bugs that show only under some
// schedules, which `scripts/suite explore` and deterministic_test.cpp must find and replay.
//
//   goro_explore_programs SCENARIO     exit 0: the run was correct; 1: the planted bug showed or
//                                      the runtime threw (a deadlock_error: a lost wake-up)
//                                      (86/87: the deterministic scheduler stopped a hang/livelock)
// The planted bugs are algorithms written against the Sync contract (goro::PolicySync), as a
// user's would be: their atomics and locks are the scheduler's decision points.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
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

// edge_wakeup (planted; needs three goroutines and a timer): a counting semaphore whose release
// sends a wake-up token only on the 0 -> 1 edge of its count. Two waiters park on the token
// channel (the releaser's timer lets them get there first); the releaser releases twice, with a
// yield between. When the second release finds the count still 1 — the first woken waiter has
// not taken its unit yet — it sends no token, and the second waiter sleeps for ever beside a
// free unit. One waiter, or releases that find the waiters not yet parked, never lose anything.
int edge_wakeup(goro::Runtime& rt) {
  return rt.run([] {
    Sync::atomic<int> units{0};
    auto wake = goro::make_chan<int>(2);
    auto acquire = [&units, wake]() mutable {
      for (;;) {
        int n = units.load();
        if (n > 0 && units.compare_exchange_strong(n, n - 1)) return;
        if (n == 0) wake.recv();
      }
    };
    auto release = [&units, wake]() mutable {
      if (units.fetch_add(1) == 0) wake.send(1);  // PLANTED: a token only on the 0 -> 1 edge
    };
    goro::WaitGroup wg;
    for (int i = 0; i < 2; ++i) {
      wg.add(1);
      goro::go([&wg, acquire]() mutable {
        acquire();
        wg.done();
      });
    }
    goro::go([release]() mutable {
      goro::sleep_for(1ms);
      release();
      goro::yield();
      release();
    });
    wg.wait();  // a lost wake-up: run() reports the deadlock (main and a waiter blocked for ever)
    return 0;
  });
}

// parking_steal (planted; needs timers and idle workers): sleepers on the planted policy of
// runtime/tests/planted_policies/loses_when_victim_parks.cpp, which loses a goroutine a thief
// steals from a worker marked parking — possible only when an idle worker's timer readies a
// sleeper onto its own deque and another idle worker steals it first. A lost sleeper leaves the
// WaitGroup waiting for ever (every thread blocked: the scheduler stops the hang, exit 86).
int parking_steal(goro::Runtime& rt) {
  return rt.run([] {
    Sync::atomic<int> woke{0};
    goro::WaitGroup wg;
    for (int i = 0; i < 4; ++i) {
      wg.add(1);
      goro::go([&, i] {
        for (int round = 0; round < 2; ++round) {
          goro::sleep_for(std::chrono::milliseconds(1 + i));
          woke.fetch_add(1);
        }
        wg.done();
      });
    }
    wg.wait();
    return woke.load() == 8 ? 0 : 1;
  });
}

// ---- Correct programs that exercise the algorithms the semantic mutants break
// (runtime/tests/property/mutants.json: each concurrency-relevant mutant names one of these as
// its "explore" scenario; `scripts/suite explore --mutants` builds the deterministic runtime with
// the mutant and must find a failing schedule). Unmutated, each must pass under every schedule.

// close_wakes_receivers: receivers parked on an unbuffered channel all return when it closes.
int close_wakes_receivers(goro::Runtime& rt) {
  return rt.run([] {
    auto c = goro::make_chan<int>();
    Sync::atomic<int> woken{0};
    goro::WaitGroup wg;
    for (int i = 0; i < 3; ++i) {
      wg.add(1);
      goro::go([=, &woken, &wg]() mutable {
        if (!c.recv()) woken.fetch_add(1);
        wg.done();
      });
    }
    goro::yield();
    c.close();
    wg.wait();
    return woken.load() == 3 ? 0 : 1;
  });
}

// close_wakes_senders: senders blocked on a full channel get closed_channel_error when it closes;
// every value is either received or refused, none both.
int close_wakes_senders(goro::Runtime& rt) {
  return rt.run([] {
    auto c = goro::make_chan<int>(1);
    Sync::atomic<int> refused{0};
    goro::WaitGroup wg;
    for (int i = 0; i < 3; ++i) {
      wg.add(1);
      goro::go([=, &refused, &wg]() mutable {
        try {
          c.send(1);
        } catch (const goro::closed_channel_error&) {
          refused.fetch_add(1);
        }
        wg.done();
      });
    }
    goro::yield();
    c.close();
    wg.wait();
    int received = 0;
    while (c.recv()) ++received;
    return received + refused.load() == 3 ? 0 : 1;
  });
}

// waitgroup_waiters: three goroutines wait on one WaitGroup; each is released, and only after
// every worker called done(). The shared state lives outside run(), which returns only after
// every goroutine finished: a run the runtime winds down (a deadlock, when a bug leaves a waiter
// parked) must not leave a waiter touching the main goroutine's dead stack.
int waitgroup_waiters(goro::Runtime& rt) {
  goro::WaitGroup work, waiters;
  Sync::atomic<int> finished{0};
  Sync::atomic<int> early{0};
  return rt.run([&] {
    work.add(3);
    for (int i = 0; i < 3; ++i) {
      waiters.add(1);
      goro::go([&] {
        work.wait();
        if (finished.load() != 3) early.fetch_add(1);
        waiters.done();
      });
    }
    for (int i = 0; i < 3; ++i) {
      goro::go([&] {
        finished.fetch_add(1);
        work.done();
      });
    }
    waiters.wait();
    return early.load() == 0 ? 0 : 1;
  });
}

// mutex_counter: three goroutines increment a counter under goro::Mutex with a load and a
// store, yielding between them; mutual exclusion makes it exact. The yield inside the critical
// section is what makes the others contend: they reach the lock's slow path (spin, park, be
// woken), where a lock that admits a second owner shows.
int mutex_counter(goro::Runtime& rt) {
  return rt.run([] {
    goro::Mutex m;
    Sync::atomic<int> counter{0};
    goro::WaitGroup wg;
    for (int g = 0; g < 3; ++g) {
      wg.add(1);
      goro::go([&] {
        for (int i = 0; i < 4; ++i) {
          m.lock();
          const int seen = counter.load();
          goro::yield();
          counter.store(seen + 1);
          m.unlock();
        }
        wg.done();
      });
    }
    wg.wait();
    return counter.load() == 12 ? 0 : 1;
  });
}

// select_fan_in: one select receives from two unbuffered channels fed by two senders; every
// value arrives exactly once, through the case of its own channel.
int select_fan_in(goro::Runtime& rt) {
  return rt.run([] {
    auto a = goro::make_chan<int>();
    auto b = goro::make_chan<int>();
    goro::go([=]() mutable {
      for (int i = 1; i <= 4; ++i) a.send(i);
    });
    goro::go([=]() mutable {
      for (int i = 1; i <= 4; ++i) b.send(100 * i);
    });
    int sum_a = 0, sum_b = 0;
    for (int i = 0; i < 8; ++i) {
      goro::select(goro::case_recv(a, [&](std::optional<int> v) { sum_a += v.value_or(-1000); }),
                   goro::case_recv(b, [&](std::optional<int> v) { sum_b += v.value_or(-1000); }));
    }
    return sum_a == 10 && sum_b == 1000 ? 0 : 1;
  });
}

// spawn_storm: one goroutine spawns 24 on its worker while the other two workers are idle and
// steal; every spawned goroutine runs exactly once. The policy is the scenario's argument
// (spawn_storm_steal, spawn_storm_go): the stealing paths of each.
int spawn_storm(goro::Runtime& rt) {
  return rt.run([] {
    Sync::atomic<int> ran{0};
    goro::WaitGroup wg;
    wg.add(24);
    goro::go([&] {
      for (int i = 0; i < 24; ++i) {
        goro::go([&] {
          ran.fetch_add(1);
          wg.done();
        });
      }
    });
    wg.wait();
    return ran.load() == 24 ? 0 : 1;
  });
}

// yield_round: three goroutines yield in turn on the fifo policy; each finishes.
int yield_round(goro::Runtime& rt) {
  return rt.run([] {
    Sync::atomic<int> done{0};
    goro::WaitGroup wg;
    for (int g = 0; g < 3; ++g) {
      wg.add(1);
      goro::go([&] {
        for (int i = 0; i < 4; ++i) goro::yield();
        done.fetch_add(1);
        wg.done();
      });
    }
    wg.wait();
    return done.load() == 3 ? 0 : 1;
  });
}

}  // namespace

std::unique_ptr<goro::SchedulerPolicy> make_loses_when_victim_parks_policy(unsigned workers, std::uint64_t seed);

namespace {

struct Scenario {
  const char* name;
  int (*run)(goro::Runtime&);
  const char* about;
  unsigned workers = 0;      // 0: the default (GORO_WORKERS, else 2 in this world)
  const char* policy = "";   // "": the default (GORO_POLICY, else go)
};
const Scenario kScenarios[] = {
    {"pingpong", &pingpong, "correct: a token passed back and forth over unbuffered channels"},
    {"timers", &timers, "correct: 200 sleepers, a ticker and after() over 2 s of virtual time"},
    {"lost_update", &lost_update, "planted: increments by load + store lose updates"},
    {"abba", &abba, "planted: two locks taken in opposite orders (hangs the workers)"},
    {"lost_wakeup", &lost_wakeup, "planted: a check-then-act event loses a wake-up (3 goroutines, a timer)"},
    {"edge_wakeup", &edge_wakeup, "planted: a semaphore that wakes only on 0 -> 1 loses a wake-up (3 goroutines, a timer)"},
    {"parking_steal", &parking_steal, "planted: a policy loses a goroutine stolen from a parking worker (timers, 3 workers)", 3,
     "planted-parking-steal"},
    {"close_wakes_receivers", &close_wakes_receivers, "correct: close() wakes every parked receiver"},
    {"close_wakes_senders", &close_wakes_senders, "correct: close() refuses every parked sender"},
    {"waitgroup_waiters", &waitgroup_waiters, "correct: a WaitGroup releases all its waiters, after the last done()"},
    {"mutex_counter", &mutex_counter, "correct: increments under goro::Mutex are exact"},
    {"select_fan_in", &select_fan_in, "correct: a select over two channels receives every value once, by its case"},
    {"spawn_storm_steal", &spawn_storm, "correct: 24 goroutines spawned on one worker, stolen by 2 (steal policy)", 3, "steal"},
    {"spawn_storm_go", &spawn_storm, "correct: 24 goroutines spawned on one worker, stolen by 2 (go policy)", 3, "go"},
    {"yield_round", &yield_round, "correct: three goroutines yield in turn (fifo policy)", 2, "fifo"},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "--list") == 0) {
    std::FILE* out = argc == 2 ? stdout : stderr;
    std::fprintf(out, "usage: %s SCENARIO   (run under the goro::deterministic runtime)\nscenarios:\n", argv[0]);
    for (const Scenario& s : kScenarios) std::fprintf(out, "  %-22s %s\n", s.name, s.about);
    return argc == 2 ? 0 : 2;
  }
  goro::register_policy("planted-parking-steal", &make_loses_when_victim_parks_policy);
  for (const Scenario& s : kScenarios) {
    if (std::strcmp(argv[1], s.name) != 0) continue;
    try {
      goro::Options options;
      if (s.workers != 0) options.workers = s.workers;
      if (*s.policy != '\0') options.policy = goro::parse_policy(s.policy);
      goro::Runtime rt(options);
      return s.run(rt);
    } catch (const PlantedBug& bug) {
      std::fprintf(stderr, "FAILED: %s\n", bug.what());
      return 1;
    } catch (const std::exception& error) {  // a deadlock_error, an error a broken runtime throws
      std::fprintf(stderr, "FAILED: %s\n", error.what());
      return 1;
    }
  }
  std::fprintf(stderr, "%s: unknown scenario '%s' (--list shows them)\n", argv[0], argv[1]);
  return 2;
}
