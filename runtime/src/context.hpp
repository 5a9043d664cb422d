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
// Sanitizers cannot see a stack switch by themselves. ASan must be told the new stack's bounds
// (__sanitizer_start_switch_fiber before, __sanitizer_finish_switch_fiber after) or it reports
// nonsense on the first exception or fake-stack access; TSan must be told which fiber runs
// (__tsan_switch_to_fiber) or it mixes two goroutines' histories on one thread.
#pragma once

#include <cstddef>

#include <boost/context/detail/fcontext.hpp>

#include "goroutine.hpp"
#include "worker.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define GORO_ASAN_FIBERS 1
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__)
#define GORO_TSAN_FIBERS 1
#include <sanitizer/tsan_interface.h>
#endif

namespace goro::detail {

namespace fiber_annotations {

inline void* tsan_create() {
#if defined(GORO_TSAN_FIBERS)
  return __tsan_create_fiber(0);
#else
  return nullptr;
#endif
}
inline void tsan_destroy([[maybe_unused]] void* fiber) {
#if defined(GORO_TSAN_FIBERS)
  if (fiber != nullptr) __tsan_destroy_fiber(fiber);
#endif
}
inline void tsan_switch_to([[maybe_unused]] void* fiber) {
#if defined(GORO_TSAN_FIBERS)
  __tsan_switch_to_fiber(fiber, 0);
#endif
}
inline void* tsan_current() {
#if defined(GORO_TSAN_FIBERS)
  return __tsan_get_current_fiber();
#else
  return nullptr;
#endif
}
inline void asan_start([[maybe_unused]] void** fake_stack_save, [[maybe_unused]] const void* bottom,
                       [[maybe_unused]] std::size_t size) {
#if defined(GORO_ASAN_FIBERS)
  __sanitizer_start_switch_fiber(fake_stack_save, bottom, size);
#endif
}
inline void asan_finish([[maybe_unused]] void* fake_stack_save, [[maybe_unused]] const void** old_bottom = nullptr,
                        [[maybe_unused]] std::size_t* old_size = nullptr) {
#if defined(GORO_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(fake_stack_save, old_bottom, old_size);
#endif
}

}  // namespace fiber_annotations

// enter() runs g on worker w until g switches back; on return g's context is saved.
inline void enter(Worker& w, G& g) {
  fiber_annotations::asan_start(&w.asan_fake_stack, g.stack.base, g.stack.size);
  fiber_annotations::tsan_switch_to(g.tsan_fiber);
  boost::context::detail::transfer_t back = boost::context::detail::jump_fcontext(g.context, &w);
  fiber_annotations::asan_finish(w.asan_fake_stack);
  g.context = back.fctx;
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
