// direction.hpp — Go's directional channel types: SendChan<T> is `chan<- T`, RecvChan<T> is
// `<-chan T`.
//
//   void produce(goro::SendChan<int> out) { for (int i = 0; i < 3; ++i) out.send(i); out.close(); }
//   void consume(goro::RecvChan<int> in) { for (int v : in) std::printf("%d\n", v); }
//   auto ch = goro::make_chan<int>(8);
//   goro::go(produce, ch);                          // a Chan<T> converts to either view...
//   consume(ch);                                    // ...and no view converts back, as in Go
//
// Rules (Go's, checked at compile time — each misuse is a static_assert that names the rule, so
// the compiler's first error reads like Go's "invalid operation" rather than a template dump):
//   - SendChan<T> sends (send, try_send, case_send) and closes; it cannot receive, range or
//     take part in a case_recv;
//   - RecvChan<T> receives (recv, try_recv, range-for, case_recv, select_recv_any); it cannot
//     send or close (Go: "cannot close receive-only channel");
//   - Chan<T> converts implicitly to both; neither converts to Chan<T>, nor one to the other;
//   - len(), cap(), comparison and the nil view (a default-constructed view, or a view of a nil
//     Chan) behave as on Chan<T>.
// A view is a Chan<T> with half of its interface hidden: the same size, and every operation an
// inline forward to Chan<T>'s, so a view costs what the channel costs.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "goro/chan.hpp"

namespace goro {

namespace detail {
// ChanAccess lets select.hpp reach the channel behind a view; users go through the view's API.
struct ChanAccess {
  template <class View>
  static const auto& chan(const View& view) {
    return view.chan_;
  }
};
}  // namespace detail

template <class T>
class SendChan {
 public:
  using value_type = T;

  SendChan() = default;  // the nil channel
  SendChan(Chan<T> ch) : chan_(std::move(ch)) {}  // NOLINT(google-explicit-constructor): Go converts implicitly

  void send(T v) const { chan_.send(std::move(v)); }
  bool try_send(T& v) const { return chan_.try_send(v); }
  void close() const { chan_.close(); }
  std::size_t len() const { return chan_.len(); }
  std::size_t cap() const { return chan_.cap(); }
  explicit operator bool() const { return static_cast<bool>(chan_); }
  friend bool operator==(const SendChan& a, const SendChan& b) { return a.chan_ == b.chan_; }

  // The receiving half does not exist on a send-only channel.
  template <class U = T>
  std::optional<T> recv() const {
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::SendChan<T> is send-only (Go's chan<- T): cannot receive from it; "
                  "take a RecvChan<T> or a Chan<T>");
    return std::nullopt;
  }
  template <class U = T, class... Out>
  void try_recv(Out&...) const {
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::SendChan<T> is send-only (Go's chan<- T): cannot receive from it; "
                  "take a RecvChan<T> or a Chan<T>");
  }
  template <class U = T>
  typename Chan<U>::iterator begin() const {
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::SendChan<T> is send-only (Go's chan<- T): cannot range over it; "
                  "take a RecvChan<T> or a Chan<T>");
    return {};
  }
  // end() is harmless alone; a range-for calls begin() too, and begin() names the rule once.
  template <class U = T>
  typename Chan<U>::iterator end() const {
    return {};
  }

 private:
  friend struct detail::ChanAccess;
  Chan<T> chan_;
};

template <class T>
class RecvChan {
 public:
  using value_type = T;
  using iterator = typename Chan<T>::iterator;

  RecvChan() = default;  // the nil channel
  RecvChan(Chan<T> ch) : chan_(std::move(ch)) {}  // NOLINT(google-explicit-constructor): Go converts implicitly

  std::optional<T> recv() const { return chan_.recv(); }
  std::optional<T> try_recv() const { return chan_.try_recv(); }
  RecvStatus try_recv(T& out) const { return chan_.try_recv(out); }
  std::size_t len() const { return chan_.len(); }
  std::size_t cap() const { return chan_.cap(); }
  explicit operator bool() const { return static_cast<bool>(chan_); }
  friend bool operator==(const RecvChan& a, const RecvChan& b) { return a.chan_ == b.chan_; }

  // Range-for: `for (T v : in)` receives until the channel is closed and drained.
  iterator begin() const { return chan_.begin(); }
  iterator end() const { return chan_.end(); }

  // The sending half, and close, do not exist on a receive-only channel.
  template <class U = T, class... Args>
  void send(Args&&...) const {
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::RecvChan<T> is receive-only (Go's <-chan T): cannot send to it; "
                  "take a SendChan<T> or a Chan<T>");
  }
  template <class U = T, class... Args>
  bool try_send(Args&&...) const {
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::RecvChan<T> is receive-only (Go's <-chan T): cannot send to it; "
                  "take a SendChan<T> or a Chan<T>");
    return false;
  }
  template <class U = T>
  void close() const {
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::RecvChan<T> is receive-only (Go's <-chan T): cannot close it — "
                  "closing is the sender's job");
  }

 private:
  friend struct detail::ChanAccess;
  Chan<T> chan_;
};

}  // namespace goro
