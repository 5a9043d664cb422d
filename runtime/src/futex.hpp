// futex.hpp — the two Linux futex calls the scheduler sleeps and wakes with (private futexes:
// the words never leave the process).
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

namespace goro::detail {

// futex_wait() sleeps while word == expected, until woken, for at most *relative (nullptr:
// forever). May return spuriously: callers re-check.
inline void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, const timespec* relative) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, relative, nullptr, 0);
}

// futex_wake() wakes up to count threads sleeping on word.
inline void futex_wake(std::atomic<std::uint32_t>& word, int count) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

}  // namespace goro::detail
