// futex.hpp — the two Linux futex calls the scheduler sleeps and wakes with (private futexes:
// the words never leave the process).
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

#include "goro/sync/runtime_sync.hpp"

namespace goro::detail {

// futex_wait() sleeps while word == expected, until woken, for at most *relative (nullptr:
// forever). May return spuriously: callers re-check.
// In the deterministic world both go to the seeded scheduler (goro/sync/deterministic.hpp): the
// sleeper blocks there, and the timeout runs on the virtual clock.
inline void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, const timespec* relative) {
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
  sync::det::wait(word, expected, relative == nullptr ? -1 : relative->tv_sec * 1'000'000'000ll + relative->tv_nsec);
#else
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, relative, nullptr, 0);
#endif
}

// futex_wake() wakes up to count threads sleeping on word.
inline void futex_wake(std::atomic<std::uint32_t>& word, int count) {
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
  sync::det::wake(&word, count);
#else
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
#endif
}

}  // namespace goro::detail
