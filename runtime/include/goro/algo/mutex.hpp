// mutex.hpp — a goroutine mutex with Go's two modes (after Go's sync/mutex.go, 2016 design by
// Dmitry Vyukov): normal mode lets arriving goroutines and a woken waiter compete for the lock,
// starvation mode hands it directly from the unlocker to the longest waiter.
//
// State word (state_, one atomic std::uint32_t):
//
//     bit 0  kLocked    someone owns the mutex
//     bit 1  kWoken     a goroutine is on its way to take the mutex — a waiter that was woken,
//                       or an arrival spinning on it — so unlock() must not wake another one
//     bit 2  kStarving  starvation mode: unlock() hands the mutex to the queue's head; arrivals
//                       neither take it nor spin, they queue
//     bits 3…           waiters: goroutines that registered to wait (a CAS that added
//                       kOneWaiter) and have not yet been given a token
//
// Waiting is a semaphore: tokens_ (free tokens) and root_ (a FIFO of parked goroutines), both
// guarded by root_.lock_. A registered waiter takes a token or parks until release_token()
// hands it one. A token means "you were woken" in normal mode and "you own the mutex" in
// starvation mode.
//
// Normal mode. unlock() clears kLocked; if there are waiters and nobody is woken or holding,
// it moves one waiter out of the count, sets kWoken and releases a token. The woken waiter
// then competes like an arrival: if an arrival (or a spinner) took the lock first, the waiter
// registers again — at the front of the queue, keeping its seniority. An arrival may spin a few
// rounds instead of registering when the lock is held and spinning can pay (another worker is
// running — probably the owner — Host::spinning_may_pay()).
//
// Starvation mode. A waiter that finds, when it is woken, that it has waited more than
// kStarvationThreshold (1 ms) sets kStarving in its next registration (only while the mutex is
// held). From then on unlock() hands the mutex over under root_.lock_: the token itself is the
// ownership, the state stays unlocked until the new owner adds kLocked. The new owner switches
// back to normal mode when it is the last waiter, or when it itself waited less than 1 ms; an
// unlock() that finds no waiter left switches back too.
//
// Invariants:
//   - tokens_ ≤ 1, and a token is outstanding (in tokens_, or handed to a woken waiter that has
//     not yet run) only while kWoken (normal mode) or kStarving-and-unlocked (starvation mode)
//     is set: at most one goroutine is "on its way" at a time;
//   - kWoken is cleared only by the goroutine it stands for (the woken waiter or the spinner
//     that set it), in the same CAS that takes the lock or registers it as a waiter;
//   - kStarving is set only by the woken waiter, only while kLocked is set, and cleared only by
//     the owner a hand-off made or by an unlock() that finds no waiter;
//   - every change of the waiter count by an unlocker, together with the token it releases,
//     happens under root_.lock_, so a cancelled waiter (wind-down) that holds root_.lock_ sees
//     either a token it must consume or a count that still includes it — never a token in flight;
//   - ownership: exactly one goroutine is between a successful lock()/try_lock() and its unlock().
// Lock order: root_.lock_ is a leaf lock; nothing is readied while holding it (ReadyList).
//
// Destroying a Mutex: unlock() reads state_ and may take root_.lock_ after clearing kLocked,
// when waiters are registered. Destroy a Mutex only after every goroutine that used it returned
// from its last call (join them); Go's garbage collector gives that for free.
//
// Rejected alternatives:
//   - FIFO hand-off always (goro's previous Mutex): the lock never reads free while anyone is
//     queued, so nobody can barge and nothing starves; but under contention every unlock
//     becomes park + wake + switch, and the next owner is a goroutine that is not running: a
//     lock convoy, several times slower than Go's Mutex under contention (benches/README,
//     "Mutex: FIFO hand-off (before) against Go's two modes"). It survives as starvation mode.
//   - Barging only (normal mode without starvation mode): fastest, but a waiter can lose every
//     race against two goroutines that re-lock in a loop: unbounded waits (runtime/tests'
//     MutexWaiterIsNotStarvedByHammerers fails with starvation mode off).
//   - A ticket lock (FIFO by counter, everyone spins): fair and cheap on one socket, but spinning
//     goroutines hold their worker; with more goroutines than workers the ticket holder may not
//     be running and everyone spins for it.
//   - Spinning without a limit, or whenever the lock is held: with one worker the owner cannot
//     run while we spin (cooperative scheduling), so Host::spinning_may_pay() asks whether
//     another worker is running at all, as Go's canSpin does.
//
// Tuning constants (Go's values; we keep them, for the reasons Go gives):
//   - kActiveSpins = 4 rounds of Host::spin() (30 pause instructions each): long enough to
//     cover a critical section of a few dozen instructions running on another core, far below
//     the cost of a park + wake through a sleeping worker (benches/README, "Machine costs");
//   - kStarvationThreshold = 1 ms: three orders of magnitude above a hand-off, so a mutex that
//     is merely busy stays in the fast normal mode, and short enough that no waiter is delayed
//     visibly (a timer tick of the OS is 1–4 ms). Time comes from Host::now_ns(), so the Relacy
//     model advances it by hand.
#pragma once

#include <cassert>
#include <cstdint>

#include "goro/algo/sema.hpp"

namespace goro::algo {

// Host is what the Mutex asks of the runtime around it (the model supplies its own):
//   static std::int64_t now_ns()      a monotonic clock in nanoseconds
//   static bool spinning_may_pay()    is another worker running (so the owner may be running)?
//   static void spin()                one round of active spinning (Go's procyield(30))
template <class Sync, class Host>
class Mutex {
 public:
  static constexpr std::uint32_t kLocked = 1;
  static constexpr std::uint32_t kWoken = 2;
  static constexpr std::uint32_t kStarving = 4;
  static constexpr unsigned kWaiterShift = 3;
  static constexpr std::uint32_t kOneWaiter = 1u << kWaiterShift;
  static constexpr int kActiveSpins = 4;
  static constexpr std::int64_t kStarvationThresholdNs = 1'000'000;

  // try_lock() takes the mutex if it is free right now (and not being handed to a waiter). The
  // first CAS is the uncontended case (state 0); the second barges past registered waiters.
  bool try_lock() {
    std::uint32_t old = 0;
    if (state_.compare_exchange_strong(old, kLocked, std::memory_order_acquire, std::memory_order_relaxed)) return true;
    if ((old & (kLocked | kStarving)) != 0) return false;
    return state_.compare_exchange_strong(old, old | kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }

  // lock() takes the mutex, spinning briefly or parking until it can. Returns cancelled if the
  // runtime wound the goroutine down while it waited (the mutex is then not held, and the
  // waiter has left every trace of itself: count, token, kWoken).
  OpStatus lock() {
    std::uint32_t expected = 0;
    if (state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed)) {
      return OpStatus::ok;
    }
    return lock_slow();
  }

  // unlock() releases the mutex: wakes one waiter to compete (normal mode) or hands the mutex
  // to the longest waiter (starvation mode). The caller must own the mutex.
  void unlock() {
    const std::uint32_t now = state_.fetch_sub(kLocked, std::memory_order_release) - kLocked;
    if (now != 0) unlock_slow(now);
  }

  bool locked() const { return (state_.load(std::memory_order_relaxed) & kLocked) != 0; }
  // waiters() and starving() are for tests and models: a snapshot, stale at once.
  std::uint32_t waiters() const { return state_.load(std::memory_order_relaxed) >> kWaiterShift; }
  bool starving() const { return (state_.load(std::memory_order_relaxed) & kStarving) != 0; }

 private:
  static std::uint32_t waiter_count(std::uint32_t state) { return state >> kWaiterShift; }

  OpStatus lock_slow() {
    std::int64_t wait_start = 0;  // 0: not waited yet
    bool starving = false;        // this goroutine has waited longer than the threshold
    bool awoke = false;           // this goroutine stands for kWoken
    int spins = 0;
    std::uint32_t old = state_.load(std::memory_order_relaxed);
    for (;;) {
      // Phase 1 — spin while the owner (probably running on another worker) finishes. Never in
      // starvation mode: the mutex goes to the queue's head anyway.
      if ((old & (kLocked | kStarving)) == kLocked && spins < kActiveSpins && Host::spinning_may_pay()) {
        // Set kWoken so unlock() does not wake a waiter while we are about to take the lock.
        if (!awoke && (old & kWoken) == 0 && waiter_count(old) != 0 &&
            state_.compare_exchange_weak(old, old | kWoken, std::memory_order_relaxed, std::memory_order_relaxed)) {
          awoke = true;
        }
        Host::spin();
        ++spins;
        old = state_.load(std::memory_order_relaxed);
        continue;
      }
      // Phase 2 — one CAS: take the lock if it is free (normal mode), else register as a waiter;
      // give up kWoken if we stand for it; switch to starvation mode if we starve.
      std::uint32_t desired = old;
      if ((old & kStarving) == 0) desired |= kLocked;
      if ((old & (kLocked | kStarving)) != 0) desired += kOneWaiter;
      if (starving && (old & kLocked) != 0) desired |= kStarving;  // unlocked: unlock() expects waiters in starvation
      if (awoke) {
        assert((desired & kWoken) != 0 && "mutex: kWoken lost while its goroutine was on its way");
        desired &= ~kWoken;
      }
      if (!state_.compare_exchange_weak(old, desired, std::memory_order_acquire, std::memory_order_relaxed)) continue;
      if ((old & (kLocked | kStarving)) == 0) return OpStatus::ok;  // took it
      // Phase 3 — wait for a token; a goroutine that waited before queues at the front.
      const bool waited_before = wait_start != 0;
      if (!waited_before) wait_start = Host::now_ns();
      if (acquire_token(waited_before) == OpStatus::cancelled) return leave_cancelled();
      starving = starving || Host::now_ns() - wait_start > kStarvationThresholdNs;
      old = state_.load(std::memory_order_relaxed);
      if ((old & kStarving) != 0) {
        // Handed over: we own the mutex; the state still reads unlocked and counts us.
        take_handed_over(old, starving);
        return OpStatus::ok;
      }
      awoke = true;
      spins = 0;
    }
  }

  // take_handed_over() turns a starvation-mode token into ownership: set kLocked, leave the
  // count, and leave starvation mode if we are the last waiter or did not starve ourselves.
  void take_handed_over(std::uint32_t old, bool starving) {
    assert((old & (kLocked | kWoken)) == 0 && waiter_count(old) != 0 && "mutex: inconsistent state at hand-off");
    std::uint32_t delta = kLocked - kOneWaiter;  // modular: adds kLocked, removes one waiter
    if (!starving || waiter_count(old) == 1) delta -= kStarving;
    state_.fetch_add(delta, std::memory_order_acquire);
  }

  // acquire_token() takes a free token or parks until one is handed over (`front`: queue at
  // the head). The previous owner's critical section happens-before our return, through
  // root_.lock_ or the park/ready hand-over (Sync's contract).
  OpStatus acquire_token(bool front) {
    root_.lock_.lock();
    const std::uint32_t free_tokens = tokens_.load();
    if (free_tokens > 0) {
      tokens_.store(free_tokens - 1);
      root_.lock_.unlock();
      return OpStatus::ok;
    }
    return root_.park_locked(front);  // releases root_.lock_
  }

  // release_token_locked() hands a token to the longest parked waiter, or leaves it free for a
  // registered waiter that has not parked yet. root_.lock_ must be held.
  void release_token_locked(ReadyList<Sync>& to_ready) {
    if (root_.wake_one_locked(to_ready)) return;
    const std::uint32_t free_tokens = tokens_.load() + 1;
    assert(free_tokens <= 1 && "mutex: a second token outstanding");
    tokens_.store(free_tokens);
  }

  void unlock_slow(std::uint32_t now) {
    assert(((now + kLocked) & kLocked) != 0 && "mutex: unlock of an unlocked mutex");
    if ((now & kStarving) != 0) {
      hand_off();
    } else {
      wake_one_if_needed(now);
    }
  }

  // wake_one_if_needed() is normal mode's unlock: if waiters are registered and nobody holds
  // the lock or is on the way to it, move one out of the count, set kWoken, release a token.
  void wake_one_if_needed(std::uint32_t old) {
    auto nothing_to_do = [](std::uint32_t s) { return waiter_count(s) == 0 || (s & (kLocked | kWoken | kStarving)) != 0; };
    if (nothing_to_do(old)) return;  // the common contended case: no lock taken
    ReadyList<Sync> to_ready;
    root_.lock_.lock();
    old = state_.load(std::memory_order_relaxed);
    for (;;) {
      if (nothing_to_do(old)) break;
      if (state_.compare_exchange_weak(old, (old - kOneWaiter) | kWoken, std::memory_order_relaxed, std::memory_order_relaxed)) {
        release_token_locked(to_ready);
        break;
      }
    }
    root_.lock_.unlock();
    to_ready.ready_all();
  }

  // hand_off() is starvation mode's unlock (kLocked already cleared, kStarving set): hand the
  // token — the ownership — to the longest waiter, or leave starvation mode if nobody waits.
  void hand_off() {
    ReadyList<Sync> to_ready;
    root_.lock_.lock();
    std::uint32_t old = state_.load(std::memory_order_relaxed);
    for (;;) {
      assert((old & kStarving) != 0 && (old & kLocked) == 0 && "mutex: starvation mode left during a hand-off");
      if (waiter_count(old) != 0) {
        release_token_locked(to_ready);
        break;
      }
      // Registered waiters left (cancelled): nobody to hand to.
      if (state_.compare_exchange_weak(old, old & ~kStarving, std::memory_order_relaxed, std::memory_order_relaxed)) break;
    }
    root_.lock_.unlock();
    to_ready.ready_all();
  }

  // leave_cancelled() is a registered waiter's exit at wind-down, without the mutex. Under
  // root_.lock_ (see the invariants) it either consumes the token released for it — and then
  // does what the token obliged it to: own and unlock (starvation mode), or give up kWoken and
  // wake the next waiter (normal mode) — or leaves the waiter count.
  OpStatus leave_cancelled() {
    bool handed_over = false, woken = false;
    root_.lock_.lock();
    const std::uint32_t free_tokens = tokens_.load();
    if (free_tokens > 0) {
      tokens_.store(free_tokens - 1);
      const std::uint32_t old = state_.load(std::memory_order_relaxed);
      handed_over = (old & kStarving) != 0;
      woken = !handed_over;
      if (handed_over) take_handed_over(old, false);
    } else {
      state_.fetch_sub(kOneWaiter, std::memory_order_relaxed);
    }
    root_.lock_.unlock();
    if (handed_over) {
      unlock();
    } else if (woken) {
      std::uint32_t old = state_.load(std::memory_order_relaxed);
      while (!state_.compare_exchange_weak(old, old & ~kWoken, std::memory_order_relaxed, std::memory_order_relaxed)) {
      }
      assert((old & kWoken) != 0 && "mutex: kWoken lost while its goroutine was on its way");
      wake_one_if_needed(old & ~kWoken);
    }
    return OpStatus::cancelled;
  }

  typename Sync::template atomic<std::uint32_t> state_{0};
  typename Sync::template var<std::uint32_t> tokens_;  // guarded by root_.lock_
  SemaRoot<Sync> root_{WaitReason::mutex};
};

}  // namespace goro::algo
