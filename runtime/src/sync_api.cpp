// sync_api.cpp — WaitGroup and Mutex: the API layer over goro/algo (errors and cancellation),
// and the Mutex's Host (goro/sync/runtime_sync.hpp).
#include <chrono>
#include <stdexcept>

#include "goro/chan.hpp"
#include "goro/errors.hpp"
#include "goro/mutex.hpp"
#include "goro/waitgroup.hpp"
#include "scheduler.hpp"

namespace goro {

namespace detail {

std::int64_t RuntimeMutexHost::now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

bool RuntimeMutexHost::spinning_may_pay() noexcept {
  const G* g = current_g();
  return g != nullptr && g->scheduler->another_worker_running();
}

}  // namespace detail

void WaitGroup::add(int delta) {
  if (group_.add(delta) < 0) throw std::logic_error("goro: negative WaitGroup counter");
}

void WaitGroup::wait() {
  if (group_.count() == 0) return;
  detail::require_goroutine("WaitGroup::wait");
  if (group_.wait() == algo::OpStatus::cancelled) detail::throw_cancelled();
}

void Mutex::lock_contended() {
  detail::require_goroutine("Mutex::lock");
  if (mutex_.lock() == algo::OpStatus::cancelled) detail::throw_cancelled();
}

void Mutex::throw_unlock_of_unlocked() { throw std::logic_error("goro: unlock of unlocked Mutex"); }

}  // namespace goro
