// context.hpp — the context switch, and how it is announced to the sanitizers.
//
// goro switches with Boost.Context's fcontext primitives (make_fcontext / jump_fcontext: a
// register save/restore in a few dozen instructions). The higher-level boost::context::fiber
// adds an ontop call and exception plumbing to every switch; goro's goroutines never unwind
// across a switch (their entry catches everything), so the primitive is enough.
//
// Switches always go goroutine → its worker → goroutine (as Go's g0): the worker's stack is
// where a goroutine's "after I am off my stack" actions run (park commit, exit, yield).
//
// C++ keeps the "currently caught exceptions" stack and the uncaught-exception count per thread
// (libsupc++'s __cxa_eh_globals). A goroutine that blocks inside a catch handler and resumes on
// another worker — or while another goroutine threw and caught on this one — would find a
// foreign chain there: std::current_exception() and `throw;` would see the wrong exception and
// __cxa_end_catch would unlink the wrong node. So each goroutine carries its own copy, swapped
// in by the worker before switching to it and saved when it switches back.
//
// Sanitizers cannot see a stack switch by themselves. ASan must be told the new stack's bounds
// (__sanitizer_start_switch_fiber before, __sanitizer_finish_switch_fiber after) or it reports
// nonsense on the first exception or fake-stack access; TSan must be told which fiber runs
// (__tsan_switch_to_fiber) or it mixes two goroutines' histories on one thread.
#pragma once

#include <cstddef>

#include <boost/context/detail/fcontext.hpp>

#include "goroutine.hpp"
#include "worker.hpp"

#include "exception_state.hpp"
#include "fiber_annotations.hpp"

namespace goro::detail {

// enter() runs g on worker w until g switches back; on return g's context is saved.
inline void enter(Worker& w, G& g) {
  ExceptionState* thread_state = w.exception_state;
  *thread_state = g.exception_state;
  fiber_annotations::asan_start(&w.asan_fake_stack, g.stack.base, g.stack.size);
  fiber_annotations::tsan_switch_to(g.tsan_fiber);
  boost::context::detail::transfer_t back = boost::context::detail::jump_fcontext(g.context, &w);
  fiber_annotations::asan_finish(w.asan_fake_stack);
  g.context = back.fctx;
  g.exception_state = *thread_state;  // same thread: the worker's context never migrates
  *thread_state = ExceptionState{};
}

// leave() switches from goroutine g to its worker; it returns when some worker resumes g, and
// returns that worker. With exiting == true it never returns.
inline Worker* leave(G& g, bool exiting) {
  Worker* w = g.worker;
  fiber_annotations::asan_start(exiting ? nullptr : &g.asan_fake_stack, w->thread_stack_bottom, w->thread_stack_size);
  fiber_annotations::tsan_switch_to(w->tsan_fiber);
  boost::context::detail::transfer_t in = boost::context::detail::jump_fcontext(w->sched_context, nullptr);
  auto* now = static_cast<Worker*>(in.data);
  now->sched_context = in.fctx;
  g.worker = now;
  fiber_annotations::asan_finish(g.asan_fake_stack);
  return now;
}

}  // namespace goro::detail
