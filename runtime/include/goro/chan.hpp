// chan.hpp — Go channels: Chan<T>, a cheap copyable handle to a channel shared by goroutines.
//
//   auto ch = goro::make_chan<int>(8);              // buffered; make_chan<int>() is unbuffered
//   goro::go([ch]() mutable { for (int i = 0; i < 3; ++i) ch.send(i); ch.close(); });
//   for (int v : ch) std::printf("%d\n", v);        // receives until closed and drained
//
// Semantics are Go's, case for case (the algorithm is goro/algo/chan.hpp):
//   - Chan<T>{} is the nil channel: send and recv block forever (the deadlock detector reports a
//     program stuck there), close throws nil_channel_error, select never picks its cases;
//   - send on a closed channel, and close of a closed channel, throw closed_channel_error; a
//     sender blocked when the channel closes gets closed_channel_error too;
//   - recv returns nullopt once the channel is closed and drained;
//   - try_send / try_recv never block (a select with a default case): try_send moves from its
//     argument only on success; try_recv(out) says whether it received, found the channel
//     empty, or found it closed and drained (try_recv() returns nullopt for both of the last).
// A Chan is a handle: its operations are const (like a copy of a Go channel value, any copy —
// even a const one, e.g. captured by a non-mutable lambda — sends and receives on the same
// channel). Blocking operations must run inside a goroutine (std::logic_error otherwise); non-blocking ones
// and close() may be called from any thread. While the runtime winds down, a blocking operation
// throws goro::cancelled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "goro/algorithm.hpp"
#include "goro/algo/chan.hpp"
#include "goro/detail/spawn.hpp"
#include "goro/errors.hpp"
#include "goro/sync/runtime_sync.hpp"

namespace goro {

template <class T>
class SendChan;  // direction.hpp
template <class T>
class RecvChan;  // direction.hpp

namespace detail {
// kDirectionMisuse<T> is false, but only once instantiated: a static_assert on it fires exactly
// when a misused directional operation is called (direction.hpp).
template <class>
inline constexpr bool kDirectionMisuse = false;
// park_forever() blocks the calling goroutine until the runtime winds it down (then throws
// goro::cancelled): a send or receive on a nil channel, a select with only nil cases.
[[noreturn]] void park_forever();
// throw_cancelled() throws goro::cancelled: a blocking operation of a goroutine being wound down.
[[noreturn]] void throw_cancelled();
}  // namespace detail

// RecvStatus (goro/algorithm.hpp) is the outcome of a non-blocking receive, try_recv(out):
// `received` (out holds the value), `empty` (nothing ready now: the channel is open, or nil),
// `closed` (closed and drained: nothing will ever arrive — time to stop polling).

template <class T>
class Chan {
  using Core = algo::Channel<T, detail::RuntimeSync>;

 public:
  using value_type = T;
  using slot_type = typename Core::slot_type;

  // Chan() is the nil channel.
  Chan() = default;

  // A directional view never converts back to Chan<T> (direction.hpp; Go's rule too).
  template <class U>
  Chan(const RecvChan<U>&) {  // NOLINT(google-explicit-constructor): only to name the rule
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::RecvChan<T> is receive-only (Go's <-chan T): it never converts back to Chan<T>");
  }
  template <class U>
  Chan(const SendChan<U>&) {  // NOLINT(google-explicit-constructor): only to name the rule
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::SendChan<T> is send-only (Go's chan<- T): it never converts back to Chan<T>");
  }

  // send() delivers v, blocking until a receiver takes it or buffer space frees up.
  void send(T v) const {
    if (!core_) detail::park_forever();
    detail::require_goroutine("Chan::send");
    slot_type slot;
    slot.store(std::optional<T>(std::move(v)));
    finish_send(core_->send(slot, true));
  }

  // try_send() sends v if that can happen without blocking; v is moved from only on success.
  bool try_send(T& v) const {
    if (!core_) return false;
    slot_type slot;
    slot.store(std::optional<T>(std::move(v)));
    const algo::OpStatus status = core_->send(slot, false);
    if (status == algo::OpStatus::would_block) {
      v = std::move(*slot.take());
      return false;
    }
    finish_send(status);
    return true;
  }

  // recv() receives a value, or nullopt once the channel is closed and drained.
  std::optional<T> recv() const {
    if (!core_) detail::park_forever();
    detail::require_goroutine("Chan::recv");
    slot_type slot;
    const algo::OpStatus status = core_->recv(slot, true);
    if (status == algo::OpStatus::cancelled) detail::throw_cancelled();
    return slot.take();
  }

  // try_recv() receives a value if one is ready now; nullopt if none is, or if closed and drained.
  std::optional<T> try_recv() const {
    slot_type slot;
    if (poll_recv(slot) != RecvStatus::received) return std::nullopt;
    return slot.take();
  }

  // try_recv(out) receives into out if a value is ready now (out is assigned only then), and
  // tells an empty channel from a closed and drained one. The nil channel is always empty.
  RecvStatus try_recv(T& out) const {
    slot_type slot;
    const RecvStatus status = poll_recv(slot);
    if (status == RecvStatus::received) out = std::move(*slot.take());
    return status;
  }

  // close() closes the channel: receivers drain what is buffered, then get nullopt.
  void close() const {
    if (!core_) throw nil_channel_error("goro: close of nil channel");
    if (core_->close() == algo::OpStatus::closed) throw closed_channel_error("goro: close of closed channel");
  }

  std::size_t len() const { return core_ ? core_->length() : 0; }
  std::size_t cap() const { return core_ ? core_->capacity() : 0; }
  explicit operator bool() const { return static_cast<bool>(core_); }
  friend bool operator==(const Chan& a, const Chan& b) { return a.core_ == b.core_; }

  // Range-for: `for (T v : ch)` receives until the channel is closed and drained.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(const Chan* ch) : ch_(ch) { advance(); }
    T& operator*() { return *value_; }
    iterator& operator++() {
      advance();
      return *this;
    }
    bool operator==(const iterator& other) const { return ch_ == other.ch_; }

   private:
    void advance() {
      value_ = ch_->recv();
      if (!value_) ch_ = nullptr;
    }
    const Chan* ch_ = nullptr;
    std::optional<T> value_;
  };
  iterator begin() const { return iterator(this); }
  iterator end() const { return iterator(); }

  // core() exposes the algorithm object to select(); not for users.
  Core* core() const { return core_.get(); }

 private:
  template <class U>
  friend Chan<U> make_chan(std::size_t capacity);
  explicit Chan(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  // poll_recv() is the blocking receive with "do not park": both try_recv forms share it.
  RecvStatus poll_recv(slot_type& slot) const {
    if (!core_) return RecvStatus::empty;
    switch (core_->recv(slot, false)) {
      case algo::OpStatus::ok: return RecvStatus::received;
      case algo::OpStatus::closed: return RecvStatus::closed;
      case algo::OpStatus::would_block:
      case algo::OpStatus::cancelled: break;  // a receive that never parks is never cancelled
    }
    return RecvStatus::empty;
  }

  static void finish_send(algo::OpStatus status) {
    if (status == algo::OpStatus::closed) throw closed_channel_error("goro: send on closed channel");
    if (status == algo::OpStatus::cancelled) detail::throw_cancelled();
  }

  std::shared_ptr<Core> core_;
};

// max_chan_capacity<T> is the largest capacity make_chan<T> accepts: as many buffer cells as fit
// in PTRDIFF_MAX bytes (Go bounds the buffer by its largest allocation), and PTRDIFF_MAX itself
// for an empty element type, whose buffer is only a count. Either way a "negative" capacity —
// a negative count converted to std::size_t — is above it. A capacity below the bound can still
// exceed the memory there is (std::bad_alloc, as Go runs out of memory).
template <class T>
inline constexpr std::size_t max_chan_capacity =
    std::is_empty_v<T> ? static_cast<std::size_t>(PTRDIFF_MAX)
                       : static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(typename Chan<T>::slot_type);

// make_chan() makes a channel with room for `capacity` buffered values (0: unbuffered); above
// max_chan_capacity<T> it throws chan_size_error ("makechan: size out of range", Go's words).
template <class T>
Chan<T> make_chan(std::size_t capacity = 0) {
  if (capacity > max_chan_capacity<T>) throw chan_size_error("goro: makechan: size out of range");
  return Chan<T>(std::make_shared<typename Chan<T>::Core>(capacity));
}

}  // namespace goro
