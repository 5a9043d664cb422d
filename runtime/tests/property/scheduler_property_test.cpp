// scheduler_property_test.cpp — random goroutine programs: spawn trees, yields, sleeps,
// WaitGroups and Mutexes.
//
//   RandomProgramsRunToCompletion — every goroutine runs exactly once; a goroutine that waited
//       for its children sees all of them finished; a counter incremented under a Mutex (with
//       yields inside the critical section) loses no update; Stats agree with what the program
//       did: goroutines_created grows by exactly the number of goroutines, and every sleep_for
//       either fired a timer or (deadline already past) yielded, so
//       Δyields + Δtimers_fired == yields + sleeps;
//   DeadlockRaisedExactlyWhenDeadlocked — the same programs with one goroutine blocked on a
//       channel receive, a WaitGroup, a Mutex or a select. Deadlock-ness is known by
//       construction: `released` — another goroutine unblocks it later (no deadlock);
//       `stuck` — nobody does, and main waits for it (deadlock_error, with at least main and the
//       stuck goroutine asleep); `orphaned` — nobody does but main does not wait for it either
//       (main returns normally, as in Go).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "property_support.hpp"

namespace {

enum class ActionKind { spawn, yield, sleep, locked_increment, wait_children, block };

struct Action {
  ActionKind kind = ActionKind::yield;
  int argument = 0;  // spawn: child node; sleep: microseconds; locked_increment: yields inside
};

// Program is a spawn tree: node 0 is main; every other node is spawned by its parent's
// `spawn` action. At most one node holds a `block` action (DeadlockRaisedExactlyWhenDeadlocked).
struct Program {
  std::vector<std::vector<Action>> nodes;
};

void showValue(const Program& p, std::ostream& os) {
  static const char* names[] = {"spawn", "yield", "sleep", "locked++", "wait-children", "BLOCK"};
  for (std::size_t i = 0; i < p.nodes.size(); ++i) {
    os << "\n  g" << i << ":";
    for (const Action& a : p.nodes[i]) {
      os << " " << names[static_cast<int>(a.kind)];
      if (a.kind == ActionKind::spawn) os << "(g" << a.argument << ")";
      if (a.kind == ActionKind::sleep) os << "(" << a.argument << "us)";
      if (a.kind == ActionKind::locked_increment) os << "(" << a.argument << " yields)";
    }
  }
}

rc::Gen<Program> gen_program() {
  return rc::gen::exec([] {
    Program p;
    const auto count = *rc::gen::inRange<std::size_t>(1, goro::property::kSanitizer ? 12 : 32);
    p.nodes.resize(count);
    for (auto& node : p.nodes) {
      const auto actions = *rc::gen::inRange(0, 5);
      for (int i = 0; i < actions; ++i) {
        Action a;
        a.kind = *rc::gen::element(ActionKind::yield, ActionKind::sleep, ActionKind::locked_increment,
                                   ActionKind::wait_children);
        if (a.kind == ActionKind::sleep) a.argument = *rc::gen::inRange(1, 200);
        if (a.kind == ActionKind::locked_increment) a.argument = *rc::gen::inRange(0, 3);
        node.push_back(a);
      }
    }
    for (std::size_t child = 1; child < count; ++child) {
      auto& parent = p.nodes[*rc::gen::inRange<std::size_t>(0, child)];
      const auto at = *rc::gen::inRange<std::size_t>(0, parent.size() + 1);
      parent.insert(parent.begin() + static_cast<std::ptrdiff_t>(at), Action{ActionKind::spawn, static_cast<int>(child)});
    }
    return p;
  });
}

enum class BlockKind { chan_recv, wait_group, mutex, select };
enum class BlockMode { released, stuck, orphaned };

// Execution is what a running program shares; counted totals are compared afterwards.
struct Execution {
  const Program& program;
  std::vector<std::atomic<int>> ran;
  std::vector<std::atomic<bool>> finished;
  std::atomic<int> yields{0}, sleeps{0}, increments{0}, spawns{0};
  std::atomic<bool> early_wait{false};  // a wait_children returned before a child finished
  goro::WaitGroup all;                  // every spawned node
  goro::Mutex mutex;
  long counter = 0;                     // guarded by mutex
  // The blocking point.
  BlockKind block_kind = BlockKind::chan_recv;
  goro::Chan<int> block_chan = goro::make_chan<int>();
  goro::WaitGroup block_group;
  goro::Mutex block_mutex;

  explicit Execution(const Program& p) : program(p), ran(p.nodes.size()), finished(p.nodes.size()) {
    for (auto& r : ran) r.store(0);
    for (auto& f : finished) f.store(false);
  }

  void block() {
    switch (block_kind) {
      case BlockKind::chan_recv: block_chan.recv(); break;
      case BlockKind::wait_group: block_group.wait(); break;
      case BlockKind::mutex: block_mutex.lock(); block_mutex.unlock(); break;
      case BlockKind::select: {
        goro::Chan<int> nil;
        goro::select(goro::case_recv(nil), goro::case_recv(block_chan));
        break;
      }
    }
  }
  void release() {
    switch (block_kind) {
      case BlockKind::chan_recv:
      case BlockKind::select: block_chan.send(1); break;
      case BlockKind::wait_group: block_group.done(); break;
      case BlockKind::mutex: block_mutex.unlock(); break;
    }
  }

  void run_node(std::size_t index) {
    ran[index].fetch_add(1);
    goro::WaitGroup children;
    std::vector<std::size_t> spawned;
    for (const Action& a : program.nodes[index]) {
      switch (a.kind) {
        case ActionKind::spawn: {
          const auto child = static_cast<std::size_t>(a.argument);
          spawned.push_back(child);
          children.add(1);
          all.add(1);
          spawns.fetch_add(1);
          goro::go([this, child, &children] {
            run_node(child);
            finished[child].store(true);
            children.done();
            all.done();
          });
          break;
        }
        case ActionKind::yield:
          yields.fetch_add(1);
          goro::yield();
          break;
        case ActionKind::sleep:
          sleeps.fetch_add(1);
          goro::sleep_for(std::chrono::microseconds(a.argument));
          break;
        case ActionKind::locked_increment: {
          std::lock_guard lock(mutex);
          const long seen = counter;
          for (int i = 0; i < a.argument; ++i) {
            yields.fetch_add(1);
            goro::yield();  // others run and contend for the mutex meanwhile
          }
          counter = seen + 1;
          increments.fetch_add(1);
          break;
        }
        case ActionKind::wait_children:
          children.wait();
          for (std::size_t child : spawned) {
            if (!finished[child].load()) early_wait.store(true);
          }
          break;
        case ActionKind::block: block(); break;
      }
    }
    // `children` lives on this stack: wait for the rest before it goes away.
    children.wait();
  }
};

goro::Stats delta(const goro::Stats& before, const goro::Stats& after) {
  goro::Stats d;
  d.goroutines_created = after.goroutines_created - before.goroutines_created;
  d.yields = after.yields - before.yields;
  d.timers_fired = after.timers_fired - before.timers_fired;
  return d;
}

}  // namespace

namespace rc {
template <>
struct Arbitrary<Program> {
  static Gen<Program> arbitrary() { return gen_program(); }
};
}  // namespace rc

RC_GTEST_PROP(Scheduler, RandomProgramsRunToCompletion, (const Program& program)) {
  const auto config = *goro::property::gen_config();
  goro::Runtime& runtime = goro::property::runtime_for(config);
  Execution ex(program);
  const goro::Stats before = runtime.stats();
  runtime.run([&] {
    ex.run_node(0);
    ex.all.wait();
  });
  const goro::Stats d = delta(before, runtime.stats());
  for (std::size_t i = 0; i < program.nodes.size(); ++i) {
    if (ex.ran[i].load() != 1) RC_FAIL("g" + std::to_string(i) + " ran " + std::to_string(ex.ran[i].load()) + " times");
  }
  RC_ASSERT(!ex.early_wait.load());
  RC_ASSERT(ex.counter == static_cast<long>(ex.increments.load()));
  RC_LOG() << "goroutines_created +" << d.goroutines_created << ", yields +" << d.yields << ", timers_fired +"
           << d.timers_fired << "; the program spawned " << ex.spawns.load() << ", yielded " << ex.yields.load()
           << " and slept " << ex.sleeps.load() << " times\n";
  RC_ASSERT(d.goroutines_created == static_cast<std::uint64_t>(ex.spawns.load()) + 1);  // + main
  RC_ASSERT(d.yields >= static_cast<std::uint64_t>(ex.yields.load()));
  RC_ASSERT(d.yields + d.timers_fired == static_cast<std::uint64_t>(ex.yields.load() + ex.sleeps.load()));
}

RC_GTEST_PROP(Scheduler, DeadlockRaisedExactlyWhenDeadlocked, (Program program)) {
  const auto config = *goro::property::gen_config();
  const auto kind = *rc::gen::element(BlockKind::chan_recv, BlockKind::wait_group, BlockKind::mutex, BlockKind::select);
  const auto mode = *rc::gen::element(BlockMode::released, BlockMode::stuck, BlockMode::orphaned);
  const auto release_delay = *rc::gen::inRange(0, 4);  // yields (and a sleep) before the release
  // In the orphaned mode the blocked goroutine is a separate one main does not wait for.
  const auto blocked = mode == BlockMode::orphaned ? std::size_t{0} : *rc::gen::inRange<std::size_t>(0, program.nodes.size());
  if (mode != BlockMode::orphaned) {
    auto& actions = program.nodes[blocked];
    const auto at = *rc::gen::inRange<std::size_t>(0, actions.size() + 1);
    actions.insert(actions.begin() + static_cast<std::ptrdiff_t>(at), Action{ActionKind::block, 0});
  }
  RC_TAG(mode == BlockMode::released ? "released" : mode == BlockMode::stuck ? "stuck" : "orphaned");
  goro::Runtime& runtime = goro::property::runtime_for(config);
  Execution ex(program);
  ex.block_kind = kind;
  auto program_main = [&] {
    if (kind == BlockKind::wait_group) ex.block_group.add(1);
    if (kind == BlockKind::mutex) ex.block_mutex.lock();
    if (mode == BlockMode::released) {
      ex.all.add(1);
      goro::go([&] {
        for (int i = 0; i < release_delay; ++i) goro::yield();
        if (release_delay > 2) goro::sleep_for(std::chrono::microseconds(100));
        ex.release();
        ex.all.done();
      });
    } else if (mode == BlockMode::orphaned) {
      goro::go([&] { ex.block(); });  // never released, never waited for
    }
    ex.run_node(0);
    ex.all.wait();
  };
  if (mode == BlockMode::stuck) {
    try {
      runtime.run(program_main);
      RC_FAIL("a deadlocked program finished without deadlock_error");
    } catch (const goro::deadlock_error& e) {
      RC_ASSERT(e.asleep() >= (blocked == 0 ? 1u : 2u));  // main and the blocked goroutine, at least
    }
  } else {
    runtime.run(program_main);  // a deadlock_error here fails the property
    for (std::size_t i = 0; i < program.nodes.size(); ++i) RC_ASSERT(ex.ran[i].load() == 1);
    RC_ASSERT(!ex.early_wait.load());
  }
}
