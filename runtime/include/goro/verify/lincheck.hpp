// lincheck.hpp — checking recorded concurrent channel histories against Go's sequential spec.
// Part of the verification kit: goro's own linearizability test (runtime/tests/property/) and the
// kit's property check of a channel of your own (<goro/verify/channel_properties.hpp>) both use it.
//
//   goro::verify::History h{capacity, events};   // events: one per completed operation
//   if (auto why = goro::verify::check_history(h)) FAIL() << *why << goro::verify::timeline(h);
//
// Each event is an operation with its invocation and response stamps, taken from one global
// atomic counter around the call, and its result. A history is linearizable when every operation
// can be given a point between its stamps at which the sequential channel (a deque, a capacity,
// a closed flag) produces exactly the recorded results.
//
// Buffered channels (capacity > 0): Wing & Gong's search, with Lowe's memoisation of
// (set of linearized operations, model state) as Porcupine and Lincheck do — the next operation
// to linearize must have been invoked before every pending operation's response; a configuration
// already explored is never explored again. Blocking operations are partial: a send can take
// effect only while there is room (or the channel is closed: it panics), a recv only when a value
// is buffered (or the channel is closed and drained: it returns nothing).
//
// Unbuffered channels are dual structures: a send and a recv complete together. There the checker
// requires that every completed send is paired with exactly one completed receive of the same
// (unique) value, that the two calls overlapped in time, that the pair met before the channel
// closed, and that panics and closed-receives happened only after a close was invoked.
//
// Rejected alternative: treating an unbuffered rendezvous as two independent linearization
// points of a capacity-0 "buffer" — no sequential object explains a send that returns only after
// its value was taken, so the search would need a special case anyway; the pairing check is
// both simpler and the specification Go gives ("a send happens before the receive completes").
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace goro::verify {

enum class OpKind { send, try_send, recv, try_recv, close, len };

// What an operation returned. `ok` — a send delivered / close closed; `full` — try_send found no
// room; `panicked` — closed_channel_error; `value` — a receive got `value`; `nothing` — a receive
// found the channel closed and drained (recv's nullopt, try_recv(out)'s RecvStatus::closed);
// `empty` — a try_recv found nothing ready on an open channel (RecvStatus::empty); `length` —
// len() returned `value`; `pending` — never returned (a lost wake-up).
enum class Outcome { ok, full, panicked, value, nothing, empty, length, pending };

struct Event {
  int process = 0;
  OpKind kind = OpKind::send;
  int argument = 0;  // the value sent
  std::uint64_t invoked = 0;
  std::uint64_t returned = 0;
  Outcome outcome = Outcome::pending;
  int value = 0;  // the value received, or the length
};

struct History {
  std::size_t capacity = 0;
  std::vector<Event> events;
};

inline std::string describe_call(const Event& e) {
  switch (e.kind) {
    case OpKind::send: return "send(" + std::to_string(e.argument) + ")";
    case OpKind::try_send: return "try_send(" + std::to_string(e.argument) + ")";
    case OpKind::recv: return "recv()";
    case OpKind::try_recv: return "try_recv()";
    case OpKind::close: return "close()";
    case OpKind::len: return "len()";
  }
  return "?";
}

inline std::string describe_result(const Event& e) {
  switch (e.outcome) {
    case Outcome::ok: return e.kind == OpKind::try_send ? "true" : "ok";
    case Outcome::full: return "false";
    case Outcome::panicked: return "panic: closed";
    case Outcome::value: return std::to_string(e.value);
    case Outcome::nothing: return e.kind == OpKind::try_recv ? "closed" : "nullopt";
    case Outcome::empty: return "empty";
    case Outcome::length: return std::to_string(e.value);
    case Outcome::pending: return "(never returned)";
  }
  return "?";
}

// timeline() draws a history, one operation per line in invocation order, with a bar spanning
// its [invoked, returned] stamps:   P1  send(3)      -> ok       |    [=====]      |
inline std::string timeline(const History& h) {
  std::vector<const Event*> order;
  std::uint64_t last = 1;
  for (const Event& e : h.events) {
    order.push_back(&e);
    last = std::max(last, std::max(e.invoked, e.returned) + 1);
  }
  std::sort(order.begin(), order.end(), [](const Event* a, const Event* b) { return a->invoked < b->invoked; });
  const std::uint64_t width = std::min<std::uint64_t>(last, 72);
  auto column = [&](std::uint64_t stamp) { return static_cast<std::size_t>(stamp * width / last); };
  std::ostringstream os;
  os << "history on a channel of capacity " << h.capacity << " (time runs left to right; P"
     << "n = goroutine n):\n";
  for (const Event* e : order) {
    std::string bar(width + 1, ' ');
    const std::size_t from = column(e->invoked);
    const std::size_t to = e->outcome == Outcome::pending ? width : column(e->returned);
    for (std::size_t i = from; i <= to && i <= width; ++i) bar[i] = '=';
    bar[from] = '[';
    if (e->outcome != Outcome::pending) bar[std::min<std::size_t>(to, width)] = ']';
    std::string call = describe_call(*e), result = describe_result(*e);
    call.resize(std::max<std::size_t>(call.size(), 13), ' ');
    result.resize(std::max<std::size_t>(result.size(), 16), ' ');
    os << "  P" << e->process << "  " << call << " -> " << result << " |" << bar << "|  @" << e->invoked << ".."
       << (e->outcome == Outcome::pending ? std::string("?") : std::to_string(e->returned)) << "\n";
  }
  return os.str();
}

namespace lincheck_detail {

struct Model {
  std::deque<int> buffer;
  bool closed = false;
};

// apply() performs e on the model if its recorded result is possible in state m.
inline bool apply(Model& m, std::size_t capacity, const Event& e) {
  const bool full = m.buffer.size() >= capacity;
  switch (e.kind) {
    case OpKind::send:
    case OpKind::try_send:
      if (e.outcome == Outcome::panicked) return m.closed;
      if (m.closed) return false;
      if (e.outcome == Outcome::full) return e.kind == OpKind::try_send && full;
      if (e.outcome != Outcome::ok || full) return false;
      m.buffer.push_back(e.argument);
      return true;
    case OpKind::recv:
    case OpKind::try_recv:
      if (e.outcome == Outcome::nothing) return m.buffer.empty() && m.closed;
      if (e.outcome == Outcome::empty) return e.kind == OpKind::try_recv && m.buffer.empty() && !m.closed;
      if (e.outcome != Outcome::value || m.buffer.empty() || m.buffer.front() != e.value) return false;
      m.buffer.pop_front();
      return true;
    case OpKind::close:
      if (e.outcome == Outcome::panicked) return m.closed;
      if (e.outcome != Outcome::ok || m.closed) return false;
      m.closed = true;
      return true;
    case OpKind::len:
      return e.outcome == Outcome::length && static_cast<std::size_t>(e.value) == m.buffer.size();
  }
  return false;
}

class Search {
 public:
  explicit Search(const History& h) : h_(h) {}

  bool run() { return step(0, Model{}); }

 private:
  bool step(std::uint64_t done, const Model& m) {
    const std::size_t n = h_.events.size();
    if (done == (n == 64 ? ~0ull : (1ull << n) - 1)) return true;
    std::vector<int> key(m.buffer.begin(), m.buffer.end());
    key.push_back(m.closed ? -1 : -2);
    if (!seen_.emplace(done, std::move(key)).second) return false;  // explored: it failed
    std::uint64_t earliest_return = ~0ull;
    for (std::size_t i = 0; i < n; ++i) {
      if (!(done >> i & 1)) earliest_return = std::min(earliest_return, h_.events[i].returned);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if ((done >> i & 1) || h_.events[i].invoked > earliest_return) continue;
      Model next = m;
      if (apply(next, h_.capacity, h_.events[i]) && step(done | (1ull << i), next)) return true;
    }
    return false;
  }

  const History& h_;
  std::set<std::pair<std::uint64_t, std::vector<int>>> seen_;
};

inline bool overlaps(const Event& a, const Event& b) { return a.invoked < b.returned && b.invoked < a.returned; }

// check_unbuffered() is the dual-structure check for capacity 0 (see the file comment).
inline std::optional<std::string> check_unbuffered(const History& h) {
  const Event* first_close = nullptr;
  for (const Event& e : h.events) {
    if (e.kind == OpKind::close && e.outcome == Outcome::ok) {
      if (first_close != nullptr) return "two close() calls both succeeded";
      first_close = &e;
    }
  }
  auto after_close_invoked = [&](const Event& e) { return first_close != nullptr && first_close->invoked < e.returned; };
  for (const Event& e : h.events) {
    const std::string what = "P" + std::to_string(e.process) + " " + describe_call(e) + " -> " + describe_result(e);
    if (e.outcome == Outcome::panicked || e.outcome == Outcome::nothing) {
      if (!after_close_invoked(e)) return what + " although no close() had been invoked before it returned";
    }
    if (e.outcome == Outcome::empty && first_close != nullptr && first_close->returned < e.invoked)
      return what + " although close() had returned before it was invoked";
    if (e.kind == OpKind::len && !(e.outcome == Outcome::length && e.value == 0)) return what + ": len of an unbuffered channel";
    const bool delivered = (e.kind == OpKind::send || e.kind == OpKind::try_send) && e.outcome == Outcome::ok;
    const bool received = (e.kind == OpKind::recv || e.kind == OpKind::try_recv) && e.outcome == Outcome::value;
    if (!delivered && !received) continue;
    const int v = delivered ? e.argument : e.value;
    const Event* partner = nullptr;
    int partners = 0;
    for (const Event& p : h.events) {
      const bool p_delivered = (p.kind == OpKind::send || p.kind == OpKind::try_send) && p.outcome == Outcome::ok && p.argument == v;
      const bool p_received = (p.kind == OpKind::recv || p.kind == OpKind::try_recv) && p.outcome == Outcome::value && p.value == v;
      if ((delivered && p_received) || (received && p_delivered)) {
        partner = &p;
        ++partners;
      }
    }
    if (partners != 1) return what + ": paired with " + std::to_string(partners) + " partners (exactly one expected)";
    if (!overlaps(e, *partner)) return what + ": its partner P" + std::to_string(partner->process) + " " + describe_call(*partner) + " did not overlap it in time";
    if (first_close != nullptr && std::max(e.invoked, partner->invoked) > first_close->returned)
      return what + ": the rendezvous began only after close() had returned";
  }
  return std::nullopt;
}

}  // namespace lincheck_detail

// check_history() returns why h is not linearizable, or nullopt when it is.
inline std::optional<std::string> check_history(const History& h) {
  for (const Event& e : h.events) {
    if (e.outcome == Outcome::pending) return "P" + std::to_string(e.process) + " " + describe_call(e) + " never returned";
  }
  if (h.capacity == 0) return lincheck_detail::check_unbuffered(h);
  if (h.events.size() > 64) return "history too long for the checker (64 operations at most)";
  if (!lincheck_detail::Search(h).run()) return std::string("no linearization explains this history");
  return std::nullopt;
}

}  // namespace goro::verify
