// thread_chan.hpp — the non-library baseline: a Go-like channel, select and wait group built on
// std::mutex and std::condition_variable, for the `thread` backend (one OS thread per task).
//
//   auto ch = baseline::make_chan<int>(0);          // capacity 0 = rendezvous, like Go's make(chan int)
//   std::thread t([ch]() mutable { ch.send(7); });  // returns only once a receiver took the 7
//   std::optional<int> v = ch.recv();               // nullopt once the channel is closed and drained
//   t.join();
//
// It is deliberately the obvious design a C++ programmer would write without a runtime: one lock
// per channel, condition variables for blocked senders and receivers, and a select that parks on
// a condition variable shared with every channel it watches. It is a floor, not a contender.
//
// Invariants (all under Chan::State::mutex):
//   - items.size() <= max(capacity, 1); capacity 0 uses one slot that a sender fills and then
//     waits on until a receiver took it (popped >= its ticket) — that is the rendezvous.
//   - popped <= pushed; pushed - popped == items.size().
//   - once closed, nothing is pushed again; receivers drain items, then get nullopt.
// Go semantics kept: send on a closed channel and close of a closed channel throw
// std::logic_error (Go panics); a sender blocked in a rendezvous when the channel is closed
// also throws (Go panics there too).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace baseline {

// SelectWaiter is the shared condition variable one select() parks on; every channel it watches
// holds a pointer to it while the select is registered, and signals it on any state change.
struct SelectWaiter {
  std::mutex mutex;
  std::condition_variable cv;
  bool signalled = false;  // guarded by mutex

  void signal() {
    std::lock_guard lock(mutex);
    signalled = true;
    cv.notify_one();
  }
};

template <class T>
class Chan {
 public:
  Chan() = default;
  explicit Chan(std::size_t capacity) : state_(std::make_shared<State>(capacity)) {}

  // send() blocks while the buffer is full; with capacity 0 it also waits until a receiver took
  // the value. Throws std::logic_error on a closed channel.
  void send(T value) {
    State& s = *state_;
    std::unique_lock lock(s.mutex);
    const std::size_t slots = std::max<std::size_t>(s.capacity, 1);
    s.not_full.wait(lock, [&] { return s.closed || s.items.size() < slots; });
    if (s.closed) throw std::logic_error("baseline: send on closed channel");
    s.items.push_back(std::move(value));
    const std::uint64_t ticket = ++s.pushed;
    s.not_empty.notify_one();
    s.signal_selects();
    if (s.capacity == 0) {
      s.taken.wait(lock, [&] { return s.popped >= ticket || s.closed; });
      if (s.popped < ticket) throw std::logic_error("baseline: channel closed while a sender waited");
    }
  }

  // recv() blocks until a value arrives; nullopt once the channel is closed and drained.
  std::optional<T> recv() {
    State& s = *state_;
    std::unique_lock lock(s.mutex);
    s.not_empty.wait(lock, [&] { return s.closed || !s.items.empty(); });
    return s.take_locked();
  }

  // try_recv() is recv() that never blocks: {ready, value}; ready with nullopt means closed.
  std::pair<bool, std::optional<T>> try_recv() {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    if (s.items.empty() && !s.closed) return {false, std::nullopt};
    return {true, s.take_locked()};
  }

  // close() wakes every waiter; a second close throws, as Go's does.
  void close() {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    if (s.closed) throw std::logic_error("baseline: close of closed channel");
    s.closed = true;
    s.not_empty.notify_all();
    s.not_full.notify_all();
    s.taken.notify_all();
    s.signal_selects();
  }

  void add_select(SelectWaiter* w) {
    std::lock_guard lock(state_->mutex);
    state_->selects.push_back(w);
  }
  void remove_select(SelectWaiter* w) {
    std::lock_guard lock(state_->mutex);
    auto& v = state_->selects;
    v.erase(std::find(v.begin(), v.end(), w));
  }

 private:
  struct State {
    explicit State(std::size_t cap) : capacity(cap) {}
    const std::size_t capacity;
    std::mutex mutex;                    // guards everything below; never held while waiting on another channel
    std::condition_variable not_empty;   // receivers wait here
    std::condition_variable not_full;    // senders wait here for a free slot
    std::condition_variable taken;       // rendezvous senders wait here for their value to be taken
    std::deque<T> items;
    std::uint64_t pushed = 0, popped = 0;
    bool closed = false;
    std::vector<SelectWaiter*> selects;  // selects currently parked on this channel

    std::optional<T> take_locked() {
      if (items.empty()) return std::nullopt;  // closed and drained
      T v = std::move(items.front());
      items.pop_front();
      ++popped;
      if (capacity == 0) {
        taken.notify_all();    // several rendezvous senders may wait for different tickets
        not_full.notify_one();
      } else {
        not_full.notify_one();
      }
      return v;
    }
    void signal_selects() {
      for (SelectWaiter* w : selects) w->signal();
    }
  };
  std::shared_ptr<State> state_;
};

template <class T>
Chan<T> make_chan(std::size_t capacity) {
  return Chan<T>(capacity);
}

// select_recv() receives from whichever channel is ready first: {index, value}, value nullopt
// when that channel is closed. Starts its scan at a rotating offset so no channel starves.
//   pass 1 — poll every channel;
//   pass 2 — register the shared waiter on all, poll again (closes the lost-wake-up window),
//            park until any channel signals, unregister from all, and start over.
template <class T>
std::pair<std::size_t, std::optional<T>> select_recv(std::span<Chan<T>> chans) {
  thread_local std::size_t rotation = 0;
  const std::size_t n = chans.size();
  const std::size_t start = rotation++ % n;
  auto poll = [&]() -> std::optional<std::pair<std::size_t, std::optional<T>>> {
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (start + k) % n;
      auto [ready, value] = chans[i].try_recv();
      if (ready) return std::pair{i, std::move(value)};
    }
    return std::nullopt;
  };
  for (;;) {
    if (auto got = poll()) return std::move(*got);
    SelectWaiter waiter;
    for (auto& c : chans) c.add_select(&waiter);
    auto got = poll();
    if (!got) {
      std::unique_lock lock(waiter.mutex);
      waiter.cv.wait(lock, [&] { return waiter.signalled; });
    }
    for (auto& c : chans) c.remove_select(&waiter);
    if (got) return std::move(*got);
  }
}

// WaitGroup is Go's sync.WaitGroup: add(n) before starting work, done() from each task, wait().
class WaitGroup {
 public:
  void add(std::int64_t n) {
    std::lock_guard lock(mutex_);
    count_ += n;
    if (count_ == 0) cv_.notify_all();
  }
  void done() { add(-1); }  // notifies under the lock, so wait() can return and destroy *this safely
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return count_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::int64_t count_ = 0;  // guarded by mutex_
};

}  // namespace baseline
