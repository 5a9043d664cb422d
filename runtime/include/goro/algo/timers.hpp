// timers.hpp — timers: min-heaps of deadlines, the firing protocol, and the runtime's two kinds
// of timer — a sleeping goroutine's (SleepTimer: sleep_for/sleep_until) and a channel's
// (ChanTimer: after(), Timer, Ticker). Written once over a Sync policy and a Host (the runtime's
// RuntimeTimerHost, runtime/src/timers.hpp; the models' ModelTimerHost, models/model_clock.hpp),
// after Go's runtime/time.go (a timer is "running" while its function runs, and deleting a running
// timer waits for it) and its timerModified-free predecessor: one heap per worker, one lock each.
//
//   TimerHeap heap(armed);                   // one per worker; `armed` is shared by all of them
//   heap.add(&node, deadline);               // arm
//   TimerHeap::stop(&node);                  // disarm (waits while it fires)
//   heap.run_due(now, count);                // a worker fires what is due
//
// Vocabulary (one name per concept, in this file, the runtime and the models):
//   armed    from add() until it fires or is stopped: queued in a heap, counted in `armed` (what
//            the idle protocol's deadlock decision reads: "no timer is armed").
//   firing   run_due() took the due node out of its heap under the heap lock and runs its fire()
//            with no lock held. Taking it out is the claim on this arming: stop() and purge()
//            decide under the same lock, so an arming ends exactly once — fired or stopped.
//   idle     neither: never armed, fired, stopped or purged.
//   owner    the one goroutine that arms, stops and resets a node: the goroutine holding the
//            Timer or Ticker, the sleeper (whose park commit arms its SleepTimer on its behalf,
//            off its stack). Owner calls on one node never race each other; they race run_due()
//            and purge(), which any thread may call. A heap-owned node (after(): `discard` set)
//            has no owner once armed.
//
// Invariants:
//   - node state: idle ─add→ armed ─run_due→ firing ─finish_firing→ idle (armed again for a
//     Ticker); armed ─stop/purge→ idle. Every transition is made under the lock of the node's
//     heap, and `armed` counts exactly the armed nodes of the heaps that share it.
//   - heap_ is a min-heap by `when`; a node's `index` is its position in heap_ exactly while it
//     is armed. next_ is heap_'s earliest deadline (never() when empty), written under lock_;
//     lock-free readers may see it stale (the idle protocol re-reads it after announcing itself).
//   - fire() calls finish_firing() exactly once, before anything that may free the node (a
//     readied sleeper returns and its stack holds the node; a heap-owned node frees itself), and
//     never touches the node after hand-off; stop() waits while the node fires. So an owner
//     that stops or destroys a timer never frees it under a running fire().
//   - a sleep is woken exactly once: its fire and the wind-down (park.hpp: begin_wind_down)
//     race for the sleeper's WaitContext (waiter.hpp: try_claim) and only the winner readies it;
//     a sleeper woken by the wind-down stops its timer before its frame goes away.
//   - a channel timer's fire is a non-blocking send on a channel with a buffer of one. A select
//     that another case already won has claimed its WaitContext, so the send skips the select's
//     stale waiter and buffers the value: the won select is untouched, and the value waits for
//     the next receive. A value still unreceived makes a later fire drop its own (Go's Ticker
//     drops the ticks a slow receiver missed).
// Lock order: a goroutine's park slot lock (park.hpp) → lock_ (the park commit arms a sleep);
// otherwise lock_ is a leaf. fire() runs with no heap lock held: it sends on a channel and
// readies goroutines.
//
// The Host supplies:
//   clock              a std::chrono clock's types (time_point, duration, rep); never now():
//                      callers pass the time in
//   wait_for_fire()    stop() waiting for a fire() in progress (the OS yield; Relacy's yield)
#pragma once

#include <atomic>  // std::memory_order
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "goro/algo/waiter.hpp"

namespace goro::algo {

enum class TimerState : std::uint8_t { idle, armed, firing };

constexpr const char* to_string(TimerState state) noexcept {
  constexpr const char* names[] = {"idle", "armed", "firing"};
  return names[static_cast<std::uint8_t>(state)];
}

template <class Sync, class Host>
class TimerHeap;

// TimerNode is one timer as a heap sees it; the kinds below derive from it.
template <class Sync, class Host>
struct TimerNode {
  using time_point = typename Host::clock::time_point;
  using duration = typename Host::clock::duration;

  // Set once by the node's creator, before the first add():
  void (*fire)(TimerNode* self, time_point now) = nullptr;  // see the invariants: calls finish_firing()
  void (*discard)(TimerNode* self) = nullptr;  // non-null: nobody owns the node (after()); frees it
                                               // once it has fired or been purged
  // Written by the owner's add() under the lock of `heap`; `heap` is read without it by the
  // owner (who wrote it) and by the node's fire() (run_due() took that lock after the add):
  typename Sync::template var<TimerHeap<Sync, Host>*> heap;
  // Guarded by the lock of `heap`:
  typename Sync::template var<time_point> when;
  typename Sync::template var<duration> period;  // > 0: armed again after each firing (Ticker)
  typename Sync::template var<std::size_t> index;  // position in heap_, while armed
  typename Sync::template var<TimerState> state;
};

// TimerHeap is one worker's timers, ordered by deadline; `armed` is the count all heaps share.
template <class Sync, class Host>
class TimerHeap {
 public:
  using node = TimerNode<Sync, Host>;
  using clock = typename Host::clock;
  using time_point = typename clock::time_point;
  using duration = typename clock::duration;
  using armed_count = typename Sync::template atomic<std::int64_t>;

  explicit TimerHeap(armed_count& armed) : armed_(armed) {}

  // Rearmed is what reset() found and did.
  struct Rearmed {
    bool was_armed;  // the earlier arming had neither fired nor been stopped: it never will
    bool earliest;   // the node is now its heap's earliest deadline
  };

  static constexpr time_point never() { return time_point::max(); }

  // add() arms n (which must be idle) to fire at `when`, and every `period` after it when
  // positive; returns true if n became this heap's earliest (the idle protocol then wakes a
  // sleeping worker, which may be sleeping past it). Called by n's owner.
  bool add(node* n, time_point when, duration period = duration::zero()) {
    lock_.lock();
    assert(n->state.load() == TimerState::idle && "a timer armed while armed or firing");
    assert((period == duration::zero() || n->discard == nullptr) && "a heap-owned timer is never periodic");
    n->heap.store(this);
    n->when.store(when);
    n->period.store(period);
    push_locked(n);
    const bool earliest = heap_.front() == n;
    lock_.unlock();
    return earliest;
  }

  // stop() disarms n if it is armed, waiting while it fires; returns true if it was armed (that
  // arming will now never fire). Called by n's owner.
  static bool stop(node* n) {
    for (;;) {
      TimerHeap* heap = n->heap.load();
      if (heap == nullptr) return false;  // never armed
      heap->lock_.lock();
      const TimerState state = n->state.load();
      if (state == TimerState::firing) {
        heap->lock_.unlock();
        Host::wait_for_fire();  // fire() is short: it calls finish_firing() before any hand-off
        continue;
      }
      if (state == TimerState::armed) heap->unlink_locked(n, TimerState::idle);
      heap->lock_.unlock();
      return state == TimerState::armed;
    }
  }

  // reset() stops n and arms it again on `target` (the caller's worker's heap): Timer::reset,
  // Ticker::reset. Called by n's owner.
  static Rearmed reset(node* n, TimerHeap& target, time_point when, duration period = duration::zero()) {
    const bool was_armed = stop(n);
    return {was_armed, target.add(n, when, period)};
  }

  // run_due() fires every node due at `now`, one at a time: takes it out under lock_ (now it
  // is firing: a stop() waits for it), calls counted() (so a stats snapshot taken once the
  // goroutine it wakes has run already counts it), then fire() with no lock held.
  template <class Counted>
  void run_due(time_point now, Counted&& counted) {
    for (;;) {
      lock_.lock();
      if (heap_.empty() || heap_.front()->when.load() > now) {
        lock_.unlock();
        return;
      }
      node* n = heap_.front();
      unlink_locked(n, TimerState::firing);
      lock_.unlock();
      counted();
      n->fire(n, now);
    }
  }

  // finish_firing() ends n's firing (fire() calls it, exactly once): a Ticker is armed again on
  // its grid, skipping ticks it was too late for (Go's Ticker drops them); any other node goes
  // idle, and its owner may free it as soon as this returns.
  static void finish_firing(node* n, time_point now) {
    TimerHeap* heap = n->heap.load();
    heap->lock_.lock();
    assert(n->state.load() == TimerState::firing && "finish_firing() of a timer that is not firing");
    const duration period = n->period.load();
    if (period > duration::zero()) {
      time_point when = n->when.load() + period;
      if (when <= now) when = now + period;
      n->when.store(when);
      heap->push_locked(n);
    } else {
      n->state.store(TimerState::idle);
    }
    heap->lock_.unlock();
  }

  // purge() disarms every node (the end of a run): none fires; heap-owned ones are discarded
  // once the lock is dropped.
  void purge() {
    std::vector<node*> discarded;
    lock_.lock();
    for (node* n : heap_) {
      n->state.store(TimerState::idle);
      if (n->discard != nullptr) discarded.push_back(n);
    }
    armed_.fetch_sub(static_cast<std::int64_t>(heap_.size()), std::memory_order_acq_rel);
    heap_.clear();
    publish_next_locked();
    lock_.unlock();
    for (node* n : discarded) n->discard(n);
  }

  // next_deadline() is the earliest deadline (never() when empty); lock-free, may be stale.
  time_point next_deadline() const { return time_point(duration(next_.load(std::memory_order_acquire))); }
  bool maybe_due(time_point now) const { return next_deadline() <= now; }

 private:
  // --- lock_ must be held ---
  void push_locked(node* n) {
    heap_.push_back(n);
    n->index.store(heap_.size() - 1);
    n->state.store(TimerState::armed);
    sift_up(heap_.size() - 1);
    armed_.fetch_add(1, std::memory_order_acq_rel);
    publish_next_locked();
  }
  // unlink_locked() takes armed n out of heap_; it leaves in state `next` (idle, or firing).
  void unlink_locked(node* n, TimerState next) {
    const std::size_t i = n->index.load();
    node* last = heap_.back();
    heap_.pop_back();
    if (i < heap_.size()) {
      place(i, last);
      sift_down(i);
      sift_up(last->index.load());
    }
    n->state.store(next);
    armed_.fetch_sub(1, std::memory_order_acq_rel);
    publish_next_locked();
  }
  void sift_up(std::size_t i) {
    node* moving = heap_[i];
    const time_point when = moving->when.load();
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (heap_[parent]->when.load() <= when) break;
      place(i, heap_[parent]);
      i = parent;
    }
    place(i, moving);
  }
  void sift_down(std::size_t i) {
    node* moving = heap_[i];
    const time_point when = moving->when.load();
    const std::size_t n = heap_.size();
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap_[child + 1]->when.load() < heap_[child]->when.load()) ++child;
      if (when <= heap_[child]->when.load()) break;
      place(i, heap_[child]);
      i = child;
    }
    place(i, moving);
  }
  void place(std::size_t i, node* n) {
    heap_[i] = n;
    n->index.store(i);
  }
  void publish_next_locked() {
    next_.store(heap_.empty() ? never().time_since_epoch().count() : heap_.front()->when.load().time_since_epoch().count(),
                std::memory_order_release);
  }

  typename Sync::mutex lock_;  // guards heap_ and the guarded fields of the nodes queued in it
  std::vector<node*> heap_;    // guarded by lock_ (Relacy checks it through the nodes' index cells)
  typename Sync::template atomic<typename clock::rep> next_{never().time_since_epoch().count()};  // written under lock_
  armed_count& armed_;         // armed nodes of every heap sharing it; written under each one's lock_
};

// SleepTimer is a sleeping goroutine's timer (sleep_for, sleep_until): it lives on the
// sleeper's stack, beside the WaitContext its fire and the wind-down race to claim.
template <class Sync, class Host>
class SleepTimer : public TimerNode<Sync, Host> {
 public:
  using node = TimerNode<Sync, Host>;
  using heap_type = TimerHeap<Sync, Host>;
  using time_point = typename node::time_point;
  // Arm queues the node on a heap (the Host's choice of heap) to fire at `when`.
  using Arm = void (*)(void* arg, node* timer, time_point when);

  // sleep() parks the calling goroutine until `deadline`. arm(arg, ...) queues the timer once
  // the goroutine is off its stack (the park protocol's unlock step), so its fire always finds
  // the goroutine parked. Returns true when the timer woke it; false when the wind-down claimed
  // it first — the timer is then stopped, so no fire runs on into the returned frame.
  bool sleep(time_point deadline, Arm arm, void* arg) {
    ctx_.goroutine = Sync::current_goroutine();
    ctx_.reason = WaitReason::sleep;
    this->fire = &fire_sleep;
    deadline_ = deadline;
    arm_ = arm;
    arm_arg_ = arg;
    Sync::park(ctx_, &arm_now, this);
    if (!ctx_.cancelled.load()) return true;
    heap_type::stop(this);
    return false;
  }

 private:
  static void arm_now(void* self) {
    auto* timer = static_cast<SleepTimer*>(self);
    timer->arm_(timer->arm_arg_, timer, timer->deadline_);
  }

  // fire_sleep() claims the sleep and readies the sleeper — unless the wind-down claimed it.
  static void fire_sleep(node* self, time_point now) {
    auto* timer = static_cast<SleepTimer*>(self);
    const bool claimed = timer->ctx_.try_claim();
    const typename Sync::goroutine g = timer->ctx_.goroutine;
    heap_type::finish_firing(self, now);  // unless we claimed, the sleeper may now return: hands off
    if (claimed) Sync::ready(g);
  }

  WaitContext<Sync> ctx_;
  time_point deadline_{};
  Arm arm_ = nullptr;
  void* arm_arg_ = nullptr;
};

// ChanTimer is a timer that sends the time it fired on `chan` (buffer of one): after(), Timer,
// Ticker. Channel is a channel handle with try_send(time_point&): the runtime's
// goro::Chan<Clock::time_point>, the models' stand-in over algo::Channel.
template <class Sync, class Host, class Channel>
struct ChanTimer : TimerNode<Sync, Host> {
  using node = TimerNode<Sync, Host>;
  using heap_type = TimerHeap<Sync, Host>;
  using time_point = typename node::time_point;

  ChanTimer() { this->fire = &fire_and_send; }

  Channel chan;

 private:
  static void fire_and_send(node* self, time_point now) {
    auto* timer = static_cast<ChanTimer*>(self);
    time_point value = now;
    timer->chan.try_send(value);  // a full buffer (an unreceived value) drops this one, as in Go
    void (*const discard)(node*) = self->discard;
    heap_type::finish_firing(self, now);  // hands off: the owner may free the node from here on
    if (discard != nullptr) discard(self);  // nobody owns it (after()): it frees itself
  }
};

}  // namespace goro::algo
