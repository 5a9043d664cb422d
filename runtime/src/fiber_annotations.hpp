// fiber_annotations.hpp — telling ASan and TSan about stack switches (see context.hpp for why).
// Under ThreadSanitizer every goroutine stack carries a TSan fiber, created the first time the
// stack is used and kept with it in the pool: creating a TSan fiber costs milliseconds, and TSan
// allows about 8,000 at once, which bounds the live goroutines of a TSan build (README, Limits).
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define GORO_ASAN_FIBERS 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__)
#define GORO_TSAN_FIBERS 1
#include <sanitizer/tsan_interface.h>
#endif

namespace goro::detail::fiber_annotations {

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

// asan_fresh_stack() clears ASan's shadow over a goroutine stack before a goroutine starts on
// it. ASan poisons a frame's redzones on entry and clears them on return, but a stack whose
// frames never return — a goroutine that exits by switching away, or a mapping at an address
// an earlier, unmapped pool used — keeps stale poison, and a large local (a memset over it)
// then trips ASan on memory that is ours.
inline void asan_fresh_stack([[maybe_unused]] void* base, [[maybe_unused]] std::size_t size) {
#if defined(GORO_ASAN_FIBERS)
  __asan_unpoison_memory_region(base, size);
#endif
}

}  // namespace goro::detail::fiber_annotations
