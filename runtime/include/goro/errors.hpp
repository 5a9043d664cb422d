// errors.hpp — the exceptions goro throws. Go panics map to C++ exceptions the user can catch;
// internal corruption is never an exception (it is an assertion naming the broken invariant).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace goro {

// cancelled is thrown from a blocking call or yield() of a goroutine that is being wound down
// (main returned, another goroutine threw, or a deadlock was detected). Let it propagate: the
// runtime treats it as a normal end of the goroutine, after its destructors ran.
class cancelled : public std::exception {
 public:
  const char* what() const noexcept override { return "goro: goroutine cancelled (runtime is winding down)"; }
};

// deadlock_error is thrown by Runtime::run() when every goroutine is blocked and no timer is pending.
class deadlock_error : public std::runtime_error {
 public:
  explicit deadlock_error(std::size_t asleep)
      : std::runtime_error("goro: all goroutines are asleep - deadlock! (" + std::to_string(asleep) +
                           (asleep == 1 ? " goroutine blocked)" : " goroutines blocked)")),
        asleep_(asleep) {}
  std::size_t asleep() const noexcept { return asleep_; }

 private:
  std::size_t asleep_;
};

// closed_channel_error: send on a closed channel, or close of a closed channel (Go panics).
class closed_channel_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// chan_size_error: make_chan with a capacity above max_chan_capacity<T> — say a negative count
// converted to std::size_t (Go panics with "makechan: size out of range").
class chan_size_error : public std::length_error {
 public:
  using std::length_error::length_error;
};

// nil_channel_error: close of a nil channel (Go panics).
class nil_channel_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace goro
