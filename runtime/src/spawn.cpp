// spawn.cpp — a goroutine's life-cycle: its control block and closure at the top of a pooled
// stack (begin/finish/abort_spawn), its entry and exit (registry.hpp holds the live ones).
#include <cstdint>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "context.hpp"
#include "goro/errors.hpp"
#include "scheduler.hpp"

namespace goro::detail {

namespace {

// What a goroutine's entry calls: the closure (entry) or, when it never started before the
// wind-down, only its destructor. Both stored at the bottom of the G by finish_spawn().
struct ClosureCalls {
  ClosureEntry run;
  ClosureEntry destroy;
};

#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
// note_failure_here() tells the deterministic scheduler that a goroutine's exception escaped here:
// the failing step a replay stops at (goro/sync/deterministic.hpp). Call it inside a catch block.
void note_failure_here() noexcept {
  try {
    throw;
  } catch (const std::exception& error) {
    sync::det::failure(error.what());
  } catch (...) {
    sync::det::failure("an exception not derived from std::exception");
  }
}
#endif

}  // namespace

G* Scheduler::begin_spawn(Worker* spawner, std::size_t size, std::size_t align, void** closure) {
  if (winding_down()) throw cancelled();
  const std::size_t stack_size = stacks_.stack_size();
  if (size > stack_size / 4) throw std::length_error("goro: go() closure larger than a quarter of the stack");
  Stack stack;
  if (spawner != nullptr) {
    stack = stacks_.acquire(spawner->stack_cache);
  } else {
    std::lock_guard lock(external_mutex_);
    stack = stacks_.acquire(external_stack_cache_);
  }
  fiber_annotations::asan_fresh_stack(stack.base, stack.size);  // ASan builds only
  // Layout from the top of the stack down: G, ClosureCalls, the closure, then call frames.
  auto top = reinterpret_cast<std::uintptr_t>(stack.top());
  auto g_at = (top - sizeof(G)) & ~std::uintptr_t{63};
  G* g = ::new (reinterpret_cast<void*>(g_at)) G;
  auto calls_at = (g_at - sizeof(ClosureCalls)) & ~std::uintptr_t{alignof(ClosureCalls) - 1};
  auto closure_at = (calls_at - size) & ~std::uintptr_t{align - 1};
  auto sp = closure_at & ~std::uintptr_t{15};
  g->stack = stack;
  g->scheduler = this;
  g->closure = reinterpret_cast<void*>(closure_at);
  g->context = boost::context::detail::make_fcontext(reinterpret_cast<void*>(sp), sp - reinterpret_cast<std::uintptr_t>(stack.base),
                                                     &Scheduler::goroutine_entry);
  if (g->stack.tsan_fiber == nullptr) g->stack.tsan_fiber = fiber_annotations::tsan_create();
  g->tsan_fiber = g->stack.tsan_fiber;
  g->id = next_goroutine_id_.fetch_add(1, std::memory_order_relaxed);
  registry_.add(g, spawner != nullptr ? spawner->index : options_.workers);
  *closure = g->closure;
  return g;
}

void Scheduler::finish_spawn(Worker* spawner, G* g, ClosureEntry entry, ClosureEntry destroy) noexcept {
  publish_spawn(spawner, g, entry, destroy);
  notify(spawner != nullptr, spawner != nullptr && options_.workers > 1 && policy_->runs_next(spawner->index));
}

void Scheduler::publish_spawn(Worker* spawner, G* g, ClosureEntry entry, ClosureEntry destroy) noexcept {
  auto* calls = reinterpret_cast<ClosureCalls*>((reinterpret_cast<std::uintptr_t>(g) - sizeof(ClosureCalls)) &
                                                ~std::uintptr_t{alignof(ClosureCalls) - 1});
  calls->run = entry;
  calls->destroy = destroy;
  g->entry = entry;
  if (spawner != nullptr) {
    WorkerCounters::bump(spawner->counters.goroutines_created);
  } else {
    external_created_.fetch_add(1, std::memory_order_relaxed);
  }
  if (tracer_) tracer_->spawned(spawner, *g);
  policy_->push(spawner != nullptr ? spawner->index : kNoWorker, g, SchedulerPolicy::Reason::spawned);
}

void Scheduler::abort_spawn(Worker* spawner, G* g) noexcept {
  registry_.remove(g);
  Stack stack = g->stack;
  g->~G();
  if (spawner != nullptr) {
    stacks_.release(spawner->stack_cache, stack);
  } else {
    std::lock_guard lock(external_mutex_);
    stacks_.release(external_stack_cache_, stack);
  }
}

void Scheduler::goroutine_entry(boost::context::detail::transfer_t in) {
  auto* w = static_cast<Worker*>(in.data);
  w->sched_context = in.fctx;
  fiber_annotations::asan_finish(nullptr, &w->thread_stack_bottom, &w->thread_stack_size);
  G* g = w->current;
  g->worker = w;
  Scheduler* self = g->scheduler;
  auto* calls = reinterpret_cast<ClosureCalls*>((reinterpret_cast<std::uintptr_t>(g) - sizeof(ClosureCalls)) &
                                                ~std::uintptr_t{alignof(ClosureCalls) - 1});
  if (self->winding_down()) {
    calls->destroy(g->closure);  // wound down before it ever ran: Go would never run it either
  } else {
    try {
      calls->run(g->closure);
    } catch (const cancelled&) {
      // the normal end of a goroutine that was wound down
    } catch (...) {
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
      note_failure_here();
#endif
      self->record_exception(std::current_exception());
    }
  }
  Worker* now = g->worker;
  now->action = SwitchAction::exit;
  leave(*g, /*exiting=*/true);
  std::abort();  // unreachable: an exited goroutine is never resumed
}

void Scheduler::goroutine_exited(Worker& w, G* g) {
  registry_.remove(g);
  parking_.exited(g);
  Stack stack = g->stack;
  g->~G();
  stacks_.release(w.stack_cache, stack);
  run_end_.exited();  // the last exit of a wound-down run ends it (goro/algo/run_end.hpp)
}

}  // namespace goro::detail
