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
#include <vector>

#include "overflow_guard.hpp"

namespace goro::detail {

namespace {

std::mutex registry_mutex;
std::vector<const StackPool*> pools;  // guarded by registry_mutex (read lock-free in the handler below)
std::atomic<const StackPool* const*> pools_snapshot{nullptr};
std::atomic<std::size_t> pools_count{0};
struct sigaction previous_action;
thread_local bool alt_stack_installed = false;

void write_message(const char* text) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

void on_segv(int sig, siginfo_t* info, void* context) {
  const StackPool* const* list = pools_snapshot.load(std::memory_order_acquire);
  const std::size_t n = pools_count.load(std::memory_order_acquire);
  for (std::size_t i = 0; list != nullptr && i < n; ++i) {
    if (list[i]->is_guard_page(info->si_addr)) {
      char message[160];
      std::snprintf(message, sizeof message,
                    "goro: goroutine stack overflow (stack of %zu bytes; raise goro::Options::stack_size)\n",
                    list[i]->stack_size());
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
  std::lock_guard lock(registry_mutex);
  if (pools.empty()) {
    struct sigaction action{};
    action.sa_sigaction = &on_segv;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_action);
  }
  pools.push_back(pool);
  // Publish a copy that is never freed while in use (a leak of a few pointers per Runtime, bounded).
  auto* copy = new const StackPool*[pools.size()];
  std::copy(pools.begin(), pools.end(), copy);
  pools_count.store(0, std::memory_order_release);
  pools_snapshot.store(copy, std::memory_order_release);
  pools_count.store(pools.size(), std::memory_order_release);
}

void remove_overflow_guard(const StackPool* pool) {
  std::lock_guard lock(registry_mutex);
  std::erase(pools, pool);
  auto* copy = new const StackPool*[pools.size() + 1];
  std::copy(pools.begin(), pools.end(), copy);
  pools_count.store(0, std::memory_order_release);
  pools_snapshot.store(copy, std::memory_order_release);
  pools_count.store(pools.size(), std::memory_order_release);
}

void install_alternate_signal_stack() {
  if (alt_stack_installed) return;
  static constexpr std::size_t kSize = 64 * 1024;
  stack_t stack{};
  stack.ss_sp = std::malloc(kSize);  // lives as long as the thread; workers live as long as the Runtime
  stack.ss_size = kSize;
  if (stack.ss_sp != nullptr && sigaltstack(&stack, nullptr) == 0) alt_stack_installed = true;
}

}  // namespace goro::detail
