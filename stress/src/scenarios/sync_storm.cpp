// sync_storm.cpp — Mutex and WaitGroup under contention.
//
// Mutex trials: 2–64 goroutines each take one Mutex 10–2000 times, through lock(), a try_lock()
// loop, or std::unique_lock, and sometimes yield or sleep while holding it (so lockers park and
// are handed the lock). Inside the critical section they bump a plain, unsynchronised counter.
// WaitGroup trials: one WaitGroup reused for several phases; each phase adds n, starts n
// goroutines that finish their work and call done(), and 1–4 extra goroutines wait on the same
// group; waiters check that all n completed before their wait() returned; then a heap WaitGroup
// is destroyed the moment its wait() returns (the last done() must be done touching it).
// Both mix in misuse: unlock() of a Mutex nobody holds and add() going negative must throw
// std::logic_error and leave the object unchanged.
// Invariants: mutual exclusion (never two goroutines inside; the plain counter is exact — under
// TSan a missing happens-before would also be reported); no lost wake-up (no hang, no
// deadlock_error); wait() returns only after every done() of its phase; misuse outcomes hold.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "../stress.hpp"

namespace goro_stress {
namespace {

std::uint64_t mutex_trial(Rng& rng) {
  goro::Mutex mutex;
  std::uint64_t counter = 0;  // protected by mutex, deliberately not atomic
  std::atomic<int> inside{0};
  std::atomic<bool> overlap{false}, misuse_wrong{false};
  const unsigned goroutines = static_cast<unsigned>(rng.between(2, 64));
  const std::uint64_t iterations = rng.between(10, 2000);
  goro::WaitGroup wg;
  wg.add(static_cast<int>(goroutines));
  for (unsigned g = 0; g < goroutines; ++g) {
    goro::go([&, r = Rng(rng.next())]() mutable {
      for (std::uint64_t i = 0; i < iterations; ++i) {
        const unsigned how = static_cast<unsigned>(r.below(3));
        if (how == 0) {
          mutex.lock();
        } else if (how == 1) {
          while (!mutex.try_lock()) goro::yield();
        }
        std::unique_lock<goro::Mutex> guard(mutex, std::defer_lock);
        if (how == 2) guard.lock();
        if (inside.fetch_add(1) != 0) overlap = true;
        ++counter;
        if (r.chance(16)) goro::yield();
        if (r.chance(256)) goro::sleep_for(std::chrono::microseconds(50));
        inside.fetch_sub(1);
        if (how != 2) mutex.unlock();
        if (guard.owns_lock()) guard.unlock();
        if (r.chance(512)) {
          // Misuse under load: a Mutex nobody holds.
          goro::Mutex idle;
          try {
            idle.unlock();
            misuse_wrong = true;
          } catch (const std::logic_error&) {
          }
        }
      }
      wg.done();
    });
  }
  wg.wait();
  require(!overlap.load(), "two goroutines were inside the Mutex at once");
  require(counter == goroutines * iterations,
          "counter under the Mutex " + std::to_string(counter) + " == " + std::to_string(goroutines * iterations));
  require(!misuse_wrong.load(), "unlock() of an unlocked Mutex throws std::logic_error");
  require(mutex.try_lock(), "the Mutex is free at the end");
  mutex.unlock();
  return goroutines * iterations * 2;
}

std::uint64_t waitgroup_trial(Rng& rng) {
  goro::WaitGroup wg;
  std::atomic<std::uint64_t> completed{0};
  std::atomic<bool> early{false}, misuse_wrong{false};
  const unsigned phases = static_cast<unsigned>(rng.between(1, 8));
  std::uint64_t operations = 0;
  std::uint64_t expected = 0;
  for (unsigned phase = 0; phase < phases; ++phase) {
    const unsigned n = static_cast<unsigned>(rng.between(0, 300));
    const unsigned waiters = static_cast<unsigned>(rng.between(1, 4));
    expected += n;
    wg.add(static_cast<int>(n));
    goro::WaitGroup waiters_done;
    waiters_done.add(static_cast<int>(waiters));
    for (unsigned w = 0; w < waiters; ++w) {
      goro::go([&, expected] {
        wg.wait();
        if (completed.load() < expected) early = true;
        waiters_done.done();
      });
    }
    for (unsigned i = 0; i < n; ++i) {
      goro::go([&, r = Rng(rng.next())]() mutable {
        const unsigned yields = static_cast<unsigned>(r.below(8));
        for (unsigned y = 0; y < yields; ++y) goro::yield();
        completed.fetch_add(1);
        wg.done();
      });
    }
    if (rng.chance(4)) {
      // Misuse under load: a delta that would make the counter negative, while others count down.
      goro::WaitGroup other;
      try {
        other.add(-1);
        misuse_wrong = true;
      } catch (const std::logic_error&) {
      }
      if (other.count() != 0) misuse_wrong = true;
    }
    wg.wait();
    require(completed.load() == expected, "main's wait() returned before every done() of the phase");
    waiters_done.wait();
    operations += 2 * n + waiters;

    // A WaitGroup destroyed as soon as wait() returns — the everyday C++ pattern (a local
    // WaitGroup in a function that returns after wait()). The last done() must not touch the
    // group after releasing the waiter; on the heap, ASan sees it if it does.
    auto scoped = std::make_unique<goro::WaitGroup>();
    const unsigned helpers = static_cast<unsigned>(rng.between(1, 8));
    scoped->add(static_cast<int>(helpers));
    for (unsigned i = 0; i < helpers; ++i) {
      goro::go([group = scoped.get(), yields = rng.below(4)] {
        for (std::uint64_t y = 0; y < yields; ++y) goro::yield();
        group->done();
      });
    }
    scoped->wait();
    scoped.reset();
    operations += helpers;
  }
  require(!early.load(), "a waiter's wait() returned before every done() of its phase");
  require(!misuse_wrong.load(), "WaitGroup::add going negative throws std::logic_error and leaves the counter");
  require(wg.count() == 0, "the WaitGroup ends at zero");
  return operations;
}

std::uint64_t round(const RoundContext& ctx) {
  std::uint64_t operations = 0;
  goro::Runtime rt(ctx.options());
  Watched watched(rt);
  rt.run([&] {
    Rng rng(ctx.seed);
    do operations += counted(rng.chance(2) ? mutex_trial(rng) : waitgroup_trial(rng));
    while (ctx.time_left());
  });
  return operations;
}

}  // namespace

const Scenario sync_storm_scenario{
    "sync-storm",
    "Mutex contention (lock/try_lock/unique_lock, parking while holding) and WaitGroups reused across phases",
    "mutual exclusion (plain counter exact); no lost wake-up; wait() only after all done(); misuse throws logic_error",
    &round,
};

}  // namespace goro_stress
