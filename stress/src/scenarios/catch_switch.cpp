// catch_switch.cpp — goroutines that block inside a catch handler.
//
// C++ keeps the exceptions being handled (what std::current_exception() and `throw;` see, and
// what __cxa_end_catch pops when a handler ends) in a per-*thread* stack. In a fiber runtime two
// goroutines can be inside handlers on the same worker at once, and a goroutine can leave a
// handler on a different worker than it entered: unless the runtime gives every goroutine its own
// caught-exception state (saving and restoring it at each switch, as folly's fibers do), the
// handlers pop each other's exceptions — a wrong current_exception(), a leaked exception object,
// or one freed while still being handled. Writing `ch.send(e.what())` in a catch block is
// ordinary code, so this is a scenario of its own.
// Each trial: 8–200 goroutines, each 1–50 times throws Caught{id, k}, and inside the handler
// yields, sleeps or does a channel round trip, maybe nested one level deeper.
// Invariants: inside a handler std::current_exception() is the exception being handled, before
// and after the switch; std::uncaught_exceptions() is 0 there; after the handler it is null.
#include <atomic>
#include <exception>
#include <string>

#include "../stress.hpp"

namespace goro_stress {
namespace {

struct Caught {
  std::uint64_t id;
  std::uint64_t k;
};

struct Checks {
  std::atomic<std::uint64_t> handled{0};
  std::atomic<bool> failed{false};
  std::string first_failure;
  void fail(std::string what) {
    if (!failed.exchange(true)) first_failure = std::move(what);
  }
};

void block(Rng& r, goro::Chan<int>& ping) {
  switch (r.below(3)) {
    case 0: goro::yield(); break;
    case 1: goro::sleep_for(std::chrono::microseconds(r.below(50))); break;
    default:
      // A round trip through a buffered channel: the value may be taken by anyone, so give one back.
      ping.send(1);
      (void)ping.recv();
  }
}

void handle(Checks& checks, Rng& r, goro::Chan<int>& ping, std::uint64_t id, std::uint64_t k, int depth) {
  try {
    throw Caught{id, k};
  } catch (const Caught& c) {
    const std::exception_ptr mine = std::current_exception();
    block(r, ping);
    if (std::current_exception() != mine) {
      checks.fail("std::current_exception() changed across a goroutine switch inside a catch handler");
    }
    if (std::uncaught_exceptions() != 0) checks.fail("std::uncaught_exceptions() != 0 inside a handler after a switch");
    if (c.id != id || c.k != k) checks.fail("the caught exception object changed across a switch");
    if (depth == 0 && r.chance(3)) handle(checks, r, ping, id, k + 1000, 1);
    if (std::current_exception() != mine) checks.fail("std::current_exception() wrong after a nested handler");
  }
  checks.handled.fetch_add(1, std::memory_order_relaxed);
  // A nested call runs inside the outer handler, whose exception is current again now.
  if (depth == 0 && std::current_exception() != nullptr) {
    checks.fail("std::current_exception() still set after the handler ended");
  }
}

std::uint64_t trial(Rng& rng) {
  Checks checks;
  auto ping = goro::make_chan<int>(64);
  const unsigned goroutines = static_cast<unsigned>(rng.between(8, 200));
  goro::WaitGroup wg;
  wg.add(static_cast<int>(goroutines));
  for (unsigned g = 0; g < goroutines; ++g) {
    goro::go([&, id = std::uint64_t{g}, r = Rng(rng.next())]() mutable {
      const std::uint64_t times = r.between(1, 50);
      for (std::uint64_t k = 0; k < times && !checks.failed.load(std::memory_order_relaxed); ++k) {
        handle(checks, r, ping, id, k, 0);
      }
      wg.done();
    });
  }
  wg.wait();
  require(!checks.failed.load(), checks.first_failure);
  return checks.handled.load();
}

std::uint64_t round(const RoundContext& ctx) { return trials_on_one_runtime(ctx, &trial); }

}  // namespace

const Scenario catch_switch_scenario{
    "catch-switch",
    "goroutines that yield, sleep or use channels inside catch handlers (nested), many per worker",
    "std::current_exception() is the handled exception across switches and null after; uncaught_exceptions() == 0",
    &round,
};

}  // namespace goro_stress
