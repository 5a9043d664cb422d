// exception_storm.cpp — goroutines throwing under load; run() rethrows the first and winds down
// the rest without leaking.
//
// Each trial is one run() on a Runtime reused for the whole round (so a Runtime is also shown
// to run program after program after exceptional endings). main starts 20–400 workers that
// loop over random blocking work — channel sends and receives, selects, a Mutex, sleeps, yields —
// each holding Tracked objects on its stack. Along the way they also:
//   - throw and catch their own exceptions (blocking *inside* a handler is catch-switch's job);
//   - pass an exception_ptr over a channel to another goroutine, which rethrows and catches it;
//   - misuse the API on purpose and expect the defined outcome: send on a closed channel,
//     WaitGroup::add going negative, Mutex::unlock of an unlocked mutex.
// A few chosen goroutines (or main itself) then throw Boom{id} out of their body.
// Invariants: run() throws exactly a Boom that some goroutine threw (never cancelled, never a
// deadlock, never returns normally); after run() returns every Tracked is destroyed (the wind-down
// unwound every parked goroutine); the in-handler exception checks and misuse outcomes hold.
#include <atomic>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "../stress.hpp"

namespace goro_stress {
namespace {

struct Boom {
  std::uint64_t id;
};
struct Caught {
  std::uint64_t id;
};

struct Shared {
  std::atomic<std::int64_t>* live;
  goro::Chan<std::uint64_t> work;          // buffered traffic
  goro::Chan<std::uint64_t> handoff;       // unbuffered traffic
  goro::Chan<std::exception_ptr> errors;   // exceptions passed between goroutines
  goro::Chan<int> closed;                  // closed at start: for the misuse checks
  goro::Mutex mutex;
  std::uint64_t guarded = 0;               // protected by mutex
  std::atomic<std::uint64_t> operations{0};
  std::atomic<bool> failed{false};
  std::string first_failure;
  std::vector<std::atomic<bool>> thrown;   // thrown[id]: goroutine id threw Boom out of its body
  void fail(std::string what) {
    if (!failed.exchange(true)) first_failure = std::move(what);
  }
  explicit Shared(std::size_t n) : thrown(n + 1) {}
};

void misuse(Shared& s, Rng& r) {
  switch (r.below(3)) {
    case 0:
      try {
        s.closed.send(1);
        s.fail("send on a closed channel did not throw");
      } catch (const goro::closed_channel_error&) {
      }
      break;
    case 1: {
      goro::WaitGroup wg;
      wg.add(1);
      try {
        wg.add(-2);
        s.fail("WaitGroup::add going negative did not throw");
      } catch (const std::logic_error&) {
      }
      if (wg.count() != 1) s.fail("WaitGroup counter changed by a rejected add()");
      wg.done();
      break;
    }
    default: {
      goro::Mutex m;
      try {
        m.unlock();
        s.fail("unlock of an unlocked Mutex did not throw");
      } catch (const std::logic_error&) {
      }
      if (!m.try_lock()) s.fail("a Mutex is not free after a rejected unlock()");
      m.unlock();
    }
  }
}

void worker(Shared& s, Rng r, std::uint64_t id, std::uint64_t throw_after) {
  Tracked on_stack(*s.live, id);
  std::vector<Tracked> more(r.below(4), Tracked(*s.live, id));
  for (std::uint64_t step = 0;; ++step) {
    if (step == throw_after) {
      s.thrown[id] = true;
      throw Boom{id};
    }
    Tracked during(*s.live, step);
    // Every blocking channel operation carries a timeout case, so the program as a whole can
    // never deadlock: only a Boom ends it.
    const auto timeout = [&r] { return goro::case_recv(goro::after(std::chrono::microseconds(r.below(500)))); };
    switch (r.below(10)) {
      case 0: goro::select(goro::case_send(s.work, step), timeout()); break;
      case 1: goro::select(goro::case_recv(s.work), timeout()); break;
      case 2:
        goro::select(goro::case_send(s.handoff, step), goro::case_recv(s.handoff), goro::case_recv(s.work), timeout());
        break;
      case 3: {
        std::lock_guard lock(s.mutex);
        ++s.guarded;
        if (r.chance(4)) goro::yield();
        break;
      }
      case 4: goro::sleep_for(std::chrono::microseconds(r.below(300))); break;
      case 5:
        try {
          throw Caught{id};
        } catch (const Caught& c) {
          if (c.id != id) s.fail("caught the wrong exception object");
        }
        break;
      case 6: goro::select(goro::case_send(s.errors, std::make_exception_ptr(Caught{id})), timeout()); break;
      case 7:
        goro::select(goro::case_recv(s.errors,
                                     [](std::optional<std::exception_ptr> e) {
                                       try {
                                         std::rethrow_exception(*e);
                                       } catch (const Caught&) {
                                       }
                                     }),
                     timeout());
        break;
      case 8: misuse(s, r); break;
      default: goro::yield();
    }
    s.operations.fetch_add(1, std::memory_order_relaxed);
  }
}

std::uint64_t trial(goro::Runtime& rt, Rng& rng, std::atomic<std::int64_t>& live) {
  const unsigned goroutines = static_cast<unsigned>(rng.between(20, 400));
  const unsigned throwers = static_cast<unsigned>(rng.between(1, 4));
  const bool main_throws = rng.chance(8);
  std::vector<std::uint64_t> throw_after(goroutines + 1, UINT64_MAX);
  for (unsigned k = 0; k < throwers; ++k) throw_after[rng.between(1, goroutines)] = rng.between(0, 300);
  const std::uint64_t seed = rng.next();
  Shared s(goroutines);
  s.live = &live;
  bool returned = false;
  std::string outcome;
  try {
    rt.run([&] {
      s.work = goro::make_chan<std::uint64_t>(16);
      s.handoff = goro::make_chan<std::uint64_t>();
      s.errors = goro::make_chan<std::exception_ptr>(4);
      s.closed = goro::make_chan<int>();
      s.closed.close();
      Tracked in_main(live);
      for (std::uint64_t id = 1; id <= goroutines; ++id) {
        goro::go(&worker, std::ref(s), Rng(seed + id), id, throw_after[id]);
      }
      if (main_throws) {
        goro::sleep_for(std::chrono::microseconds(200));
        s.thrown[0] = true;
        throw Boom{0};
      }
      // main blocks until the wind-down cancels it: the run ends by an exception.
      goro::Chan<int> nil;
      (void)nil.recv();
    });
    returned = true;
  } catch (const Boom& b) {
    if (b.id > goroutines || !s.thrown[b.id].load()) outcome = "run() rethrew Boom " + std::to_string(b.id) + " that nobody threw";
  } catch (const goro::cancelled&) {
    outcome = "run() threw goro::cancelled instead of the first exception";
  } catch (const goro::deadlock_error& e) {
    outcome = std::string("run() reported a deadlock instead of the first exception: ") + e.what();
  } catch (const Caught& c) {
    outcome = "run() rethrew an exception that was caught inside a goroutine (id " + std::to_string(c.id) + ")";
  }
  require(!returned, "run() returned normally although goroutines threw");
  require(outcome.empty(), outcome);
  require(!s.failed.load(), s.first_failure);
  require(live.load() == 0, "after run() every Tracked is destroyed (live = " + std::to_string(live.load()) + ")");
  return s.operations.load() + throwers;
}

std::uint64_t round(const RoundContext& ctx) {
  std::atomic<std::int64_t> live{0};
  std::uint64_t operations = 0;
  goro::Runtime rt(ctx.options());
  Watched watched(rt);
  Rng rng(ctx.seed);
  do operations += counted(trial(rt, rng, live));
  while (ctx.time_left());
  return operations;
}

}  // namespace

const Scenario exception_storm_scenario{
    "exception-storm",
    "goroutines throwing out of blocking work; exceptions caught locally and passed as exception_ptr over channels; API misuse",
    "run() rethrows a thrown Boom (not cancelled/deadlock); nothing leaks (Tracked == 0); misuse outcomes",
    &round,
};

}  // namespace goro_stress
