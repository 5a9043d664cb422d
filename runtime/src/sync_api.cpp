// sync_api.cpp — WaitGroup and Mutex: the API layer over goro/algo (errors and cancellation).
#include <stdexcept>

#include "goro/chan.hpp"
#include "goro/errors.hpp"
#include "goro/mutex.hpp"
#include "goro/waitgroup.hpp"

namespace goro {

void WaitGroup::add(int delta) {
  if (group_.add(delta) < 0) throw std::logic_error("goro: negative WaitGroup counter");
}

void WaitGroup::wait() {
  if (group_.count() == 0) return;
  detail::require_goroutine("WaitGroup::wait");
  if (group_.wait() == algo::OpStatus::cancelled) detail::throw_cancelled();
}

void Mutex::lock() {
  if (mutex_.try_lock()) return;
  detail::require_goroutine("Mutex::lock");
  if (mutex_.lock() == algo::OpStatus::cancelled) detail::throw_cancelled();
}

void Mutex::unlock() {
  if (!mutex_.locked()) throw std::logic_error("goro: unlock of unlocked Mutex");
  mutex_.unlock();
}

}  // namespace goro
