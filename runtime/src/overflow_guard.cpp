// overflow_guard.cpp — the defined outcome of a goroutine stack overflow on a guarded stack.
//
// A goroutine that runs off the bottom of its stack touches the PROT_NONE guard page below it
// (stack_pool.hpp). The SIGSEGV handler, running on an alternate signal stack (the faulting
// stack has no room left), recognises a guard-page address and prints
//   goro: goroutine stack overflow (stack of N bytes; raise goro::Options::stack_size)
// then aborts. Any other SIGSEGV is handed back to the default action. Stacks mapped after the
// guard budget ran out have no guard page: an overflow there is undefined (README, Limits).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "overflow_guard.hpp"

namespace goro::detail {

namespace {

// The pools of live Runtimes, read by the signal handler without locks or allocation.
constexpr std::size_t kMaxRuntimes = 64;
std::atomic<const StackPool*> pools[kMaxRuntimes];
std::mutex install_mutex;  // guards handler installation and slot assignment
bool handler_installed = false;
struct sigaction previous_action;
thread_local bool alt_stack_installed = false;

void write_message(const char* text) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

void on_segv(int sig, siginfo_t* info, void* context) {
  for (auto& slot : pools) {
    const StackPool* pool = slot.load(std::memory_order_acquire);
    if (pool != nullptr && pool->is_guard_page(info->si_addr)) {
      char message[160];
      std::snprintf(message, sizeof message,
                    "goro: goroutine stack overflow (stack of %zu bytes; raise goro::Options::stack_size)\n",
                    pool->stack_size());
      write_message(message);
      std::abort();
    }
  }
  // Not ours: restore the previous disposition and let the fault happen again.
  sigaction(SIGSEGV, &previous_action, nullptr);
  (void)sig;
  (void)context;
}

}  // namespace

void install_overflow_guard(const StackPool* pool) {
  std::lock_guard lock(install_mutex);
  if (!handler_installed) {
    struct sigaction action{};
    action.sa_sigaction = &on_segv;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_action);
    handler_installed = true;
  }
  for (auto& slot : pools) {
    if (slot.load(std::memory_order_relaxed) == nullptr) {
      slot.store(pool, std::memory_order_release);
      return;
    }
  }
  // More than kMaxRuntimes live Runtimes: this one's overflows are reported as plain SIGSEGVs.
}

void remove_overflow_guard(const StackPool* pool) {
  std::lock_guard lock(install_mutex);
  for (auto& slot : pools) {
    if (slot.load(std::memory_order_relaxed) == pool) slot.store(nullptr, std::memory_order_release);
  }
}

void install_alternate_signal_stack() {
  if (alt_stack_installed) return;
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) {
    alt_stack_installed = true;  // someone (e.g. a sanitizer runtime) already gave us one
    return;
  }
  static constexpr std::size_t kSize = 64 * 1024;
  stack_t stack{};
  stack.ss_sp = std::malloc(kSize);  // lives as long as the thread; workers live as long as the Runtime
  stack.ss_size = kSize;
  if (stack.ss_sp != nullptr && sigaltstack(&stack, nullptr) == 0) alt_stack_installed = true;
}

}  // namespace goro::detail
