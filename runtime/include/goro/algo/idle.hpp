// idle.hpp — the idle/wake protocol: how a worker with nothing to run spins, sleeps and is woken,
// and when the runtime decides that every goroutine is asleep for good. Written once over a Sync
// policy and a Host (the runtime's Scheduler, runtime/src/idle.cpp, which supplies the futex and
// the clock; models/model_idle.cpp's IdleHost), after Go's findrunnable / wakep / nmspinning.
//
// Why this design (the essay proc.go has, in our words). A worker that finds no goroutine first
// spins — polling the run queues, which steal — for a short while, then sleeps on its own wake
// word until woken or until the earliest timer is due. Three designs would work badly:
//   - waking a sleeper on every push: with a busy producer every push becomes a futex system
//     call (benches/README, "Machine costs"), and the woken worker usually finds nothing (a thundering
//     herd of one);
//   - never waking: work readied by a busy worker waits until that worker gets to it, and the
//     other cores idle;
//   - one shared condition variable: notify_one needs the mutex on every push, and every
//     sleeper shares one wait queue.
// So (as Go does) a push wakes a sleeper only when no worker is spinning: a spinning worker is
// guaranteed to find the work, and a spinner that finds work wakes one more to take over the
// spinning (notify() after stop_spinning()).
// Unlike Go, a push the policy says leaves nothing for another worker wakes nobody (`runs_next`:
// it only filled the pusher's empty runnext, or — the go policy — queued less than the pusher
// gets through soon at its own pace): the pusher runs it, and a woken worker could take nothing
// but would spin, find the next displaced goroutine and split a pipeline across cores, or take
// nothing and cost the pusher a futex wake. For the same reason a sleeper's last look asks only
// for work it may take (has_work_for), not for anything queued: otherwise a busy owner's queue,
// which the policy keeps from thieves, keeps the idle worker spinning for as long as the owner
// is busy (benches/README, "Two workers: what decides the mode" and "Two workers: wake, and stay
// awake, only for a backlog worth moving"). The case it leaves — a pusher that computes instead
// of running what it queued — is the sleepers' poll: while some worker is awake a sleeper sleeps
// at most idle_poll_time(), then looks once (the policy steals from an owner that stalled) and
// sleeps again.
//
// Invariants:
//   - no lost wake-up: work pushed while a worker decides to sleep is always run (a runs_next
//     push, and what has_work_for() leaves with a busy owner: by its pusher, or after a sleeper's
//     poll — at most idle_poll_time() later). The sleeper
//     announces itself (a read-modify-write of nsleepers_) before its last look at the queues;
//     a pusher pushes, then reads nsleepers_ with a read-modify-write too. Both are seq_cst RMWs
//     of the same word, so they are ordered: if the pusher's comes first, the sleeper's
//     synchronises with it and its last look sees the work; if the sleeper's comes first, the
//     pusher sees a sleeper and wakes one. (Relaxed on either side: model_idle finds the lost
//     wake-up.) A pusher that sees a spinner instead relies on it: the spinner's decrement of
//     nspinning_ precedes its own announcement in the seq_cst order, so the pusher that reads
//     nspinning_ > 0 after the spinner announced itself as a sleeper cannot exist.
//     A timer that becomes its heap's earliest is a push of the same kind: the adder publishes
//     the deadline, then timer_added() makes the same read-modify-write of nsleepers_, so an
//     announced sleeper either reads the new deadline or is woken to re-plan.
//     Not a seq_cst fence + load instead of the RMW (to keep nsleepers_'s line shared between
//     pushers): the cost is the store-buffer drain, which a fence pays too, not the line
//     transfer (benches/README, "Idle protocol: a fence instead of the read-modify-write").
//   - at most max_spinning (max(1, workers/2)) workers spin at once: start_spinning() claims a
//     slot with a compare-exchange, so spinning cannot eat the machine.
//   - deadlock is decided only when every worker is inside sleep() under lock_, nothing is
//     queued, no timer is armed and goroutines are alive: then every goroutine is parked and
//     nothing can wake one. A submission from outside the workers (run()'s main goroutine) goes
//     through submit_external(), under lock_, so it is never "in flight" during the decision.
// Lock order: lock_ → the Host's leaf locks. Under lock_ the Host's has_work / earliest_deadline
// / counts take at most locks under which nothing else is taken (the runtime's
// live_goroutines() sums its registry shards, each under its spin lock); never wait on a wake
// word while holding lock_.
//
// The Host supplies (names as called):
//   worker, goroutine, idle_slot           types: the Host's worker handle, what pop() returns
//                                          (null: none), and its IdleSlot; sleeper(w) → w's slot
//   pop(w)                                 a goroutine for w, or a null goroutine
//   run_timers(w, all_heaps)               fire due timers (w's own heap, or every heap)
//   has_work()                             anything queued anywhere (acquire loads; may be stale)
//   has_work_for(w)                        anything queued that w may take now (the policy's
//                                          has_work_for: never false for a push that notified)
//   now(), spin_time(), idle_poll_time(), earliest_deadline()
//                                          the clock, in the Host's time_point type
//   timers_armed(), live_goroutines(), winding_down()
//   wait(slot, deadline)                   sleep on slot.wake_word while it is 0, until deadline
//   wake(slot)                             wake a thread sleeping on slot.wake_word
//   deadlocked(goroutines)                 report "all goroutines are asleep" (winds down)
//   count_sleep(w), count_wake()           statistics: a futex sleep, a futex wake for new work
//   count_spin(w, found)                   statistics: a spin ended, having found a goroutine or not
#pragma once

#include <atomic>  // std::memory_order
#include <cassert>
#include <cstddef>
#include <cstdint>

namespace goro::algo {

// IdleTuning: the protocol's knobs, chosen by the Host.
struct IdleTuning {
  unsigned workers = 1;
  // max_spinning: Go's rule — at most half the workers spin (at least one), so spinning workers
  // never outnumber the ones doing work.
  unsigned max_spinning = 1;
  // polls_per_clock_read: a spinner reads the clock (and runs every heap's due timers) once per
  // this many polls — a clock read costs several polls (~20 ns, 2026-12, f03fd47).
  unsigned polls_per_clock_read = 16;
  // poll_while_others_run: a sleeper sleeps at most the Host's idle_poll_time() while another
  // worker is awake — what a runs_next push (notify) relies on. Off only in models whose pushes
  // are never runs_next: there a poll would hide a lost wake-up.
  bool poll_while_others_run = true;

  static constexpr IdleTuning for_workers(unsigned workers) {
    return IdleTuning{workers, workers / 2 > 0 ? workers / 2 : 1, 16, true};
  }
};

// IdleSlot is what the protocol keeps per worker; WakeWord is the Host's futex word type.
template <class Sync, class WakeWord>
struct IdleSlot {
  WakeWord wake_word{0};  // 0 while asleep; set to 1 (under the protocol's lock_) by its waker
  // The sleeper set, an intrusive LIFO list (the most recent sleeper is woken first: its caches
  // are the warmest). Guarded by the protocol's lock_.
  typename Sync::template var<IdleSlot*> prev;
  typename Sync::template var<IdleSlot*> next;
  typename Sync::template var<bool> listed;
};

template <class Sync, class Host>
class IdleProtocol {
 public:
  using worker = typename Host::worker;
  using goroutine = typename Host::goroutine;
  using slot = typename Host::idle_slot;

  IdleProtocol(Host& host, IdleTuning tuning) : host_(host), tuning_(tuning) {}

  // find_work() is a worker's loop between goroutines: its own timers, the queues, a spin, every
  // heap's timers, then sleep — until it has a goroutine, or nothing (null) at shutdown.
  goroutine find_work(worker w) {
    bool polled = false;
    for (;;) {
      host_.run_timers(w, false);
      if (auto g = host_.pop(w)) return g;
      if (shutting_down()) return {};
      if (!polled) {
        if (auto g = spin(w)) return g;
      }
      host_.run_timers(w, true);
      if (auto g = host_.pop(w)) return g;
      polled = sleep(w);
    }
  }

  // notify() is called after every push of a runnable goroutine: wake a sleeper if one should
  // take the work (see the invariants). by_own_worker: a worker of this runtime pushed it;
  // runs_next: into a slot only that worker runs, next, leaving nothing for another worker.
  void notify(bool by_own_worker, bool runs_next = false) {
    // The only worker pushed it: it is awake and will run it; nobody can be asleep.
    if (by_own_worker && tuning_.workers == 1) return;
    // The pusher runs it next itself; if it computes instead, a sleeper's poll takes it.
    if (runs_next) return;
    // A seq_cst read-modify-write, not a load: the pusher's half of the handshake (and
    // ThreadSanitizer sees it, where it ignores fences).
    if (nsleepers_.fetch_add(0, std::memory_order_seq_cst) == 0) return;
    if (nspinning_.load(std::memory_order_seq_cst) > 0) return;
    wake_one();
  }

  // submit_external() runs push() — which counts a new goroutine alive and queues it — under
  // lock_, then notifies: the deadlock decision never sees it counted but not yet queued.
  template <class Push>
  void submit_external(Push&& push) {
    lock_.lock();
    push();
    lock_.unlock();
    notify(false);
  }

  // timer_added() is called when a new timer became its heap's earliest: a sleeping worker may
  // be sleeping past it; wake one to re-plan. The same handshake as notify(), with the heap's
  // earliest deadline in the place of the run queue: a seq_cst read-modify-write, not a load.
  // A load (even seq_cst) lets the adder's store of the deadline and its read of nsleepers_
  // pass each other (store→load, as x86's store buffer does): the adder reads no sleeper while
  // the sleeper, announced, reads the old deadline and sleeps with none — the timer then waits
  // until the adding worker goes idle itself (model_idle's timer_added_wakes_sleeper found it).
  void timer_added() {
    if (nsleepers_.fetch_add(0, std::memory_order_seq_cst) > 0) wake_one();
  }

  // shutdown() makes every find_work() return null, now or when it next wakes.
  void shutdown() {
    shutdown_.store(true, std::memory_order_seq_cst);
    lock_.lock();
    while (slot* s = pop_sleeper_locked()) {
      s->wake_word.store(1, std::memory_order_release);
      host_.wake(*s);  // futex_wake under lock_ is fine here: nobody else is waking
    }
    lock_.unlock();
  }
  bool shutting_down() const { return shutdown_.load(std::memory_order_acquire); }

  // Introspection for tests and models (racy outside the lock).
  unsigned spinning() const { return nspinning_.load(std::memory_order_relaxed); }
  unsigned sleeping() const { return nsleepers_.load(std::memory_order_relaxed); }
  const IdleTuning& tuning() const { return tuning_; }

 private:
  // spin() polls for a goroutine while it holds one of the max_spinning slots.
  goroutine spin(worker w) {
    if (!start_spinning()) return {};
    const auto until = host_.now() + host_.spin_time();
    goroutine found{};
    unsigned polls = 0;
    for (;;) {
      found = host_.pop(w);
      if (found) break;
      if (++polls % tuning_.polls_per_clock_read == 0) {
        host_.run_timers(w, true);
        if (host_.now() >= until || shutting_down()) break;
      }
      Sync::relax();
    }
    stop_spinning();
    host_.count_spin(w, found != goroutine{});
    if (found) notify(true);  // we stop spinning: let a sleeper take over, in case there is more work
    return found;
  }

  bool start_spinning() {
    unsigned n = nspinning_.load(std::memory_order_relaxed);
    while (n < tuning_.max_spinning) {
      if (nspinning_.compare_exchange_weak(n, n + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) return true;
    }
    return false;
  }
  void stop_spinning() { nspinning_.fetch_sub(1, std::memory_order_seq_cst); }

  // sleep() — announce, look once more, decide (run on / deadlock / sleep), sleep, unannounce.
  // True when it slept until its poll deadline and nobody woke it: find_work() then looks once
  // and sleeps again without a spin.
  bool sleep(worker w) {
    slot& self = host_.sleeper(w);
    lock_.lock();
    push_sleeper_locked(self);
    // The sleeper's half of the handshake: a seq_cst read-modify-write before the last look.
    const unsigned sleeping = nsleepers_.fetch_add(1, std::memory_order_seq_cst) + 1;
    auto deadline = host_.earliest_deadline();
    // While some worker is awake this sleeper polls, so its last look asks only for work it may
    // take now (has_work_for): what the policy leaves with a busy owner (runs_next) would
    // otherwise keep it spinning — reading that owner's queue — for as long as the owner is busy.
    const bool polls = tuning_.poll_while_others_run && sleeping < tuning_.workers;
    const bool work = polls ? host_.has_work_for(w) : host_.has_work();
    if (work || shutdown_.load(std::memory_order_seq_cst) || deadline <= host_.now()) {
      unlink_sleeper_locked(self);
      lock_.unlock();
      return false;
    }
    // While some worker is awake, sleep at most idle_poll_time(): a goroutine it readied into
    // its runnext woke nobody, and is ours to take if that worker computes instead of running it.
    bool poll = false;
    if (polls) {
      const auto poll_at = host_.now() + host_.idle_poll_time();
      if (poll_at < deadline) {
        deadline = poll_at;
        poll = true;
      }
    }
    if (sleeping == tuning_.workers && !host_.timers_armed() && !host_.winding_down()) {
      const std::size_t live = host_.live_goroutines();
      if (live > 0) {
        // Every worker is here, nothing is queued, no timer can fire: every goroutine is parked.
        unlink_sleeper_locked(self);
        lock_.unlock();
        host_.deadlocked(live);
        return false;
      }
    }
    self.wake_word.store(0, std::memory_order_relaxed);
    lock_.unlock();
    host_.count_sleep(w);
    host_.wait(self, deadline);
    lock_.lock();
    const bool timed_out = self.listed.load();
    if (timed_out) unlink_sleeper_locked(self);  // timed out or woke spuriously: nobody removed us
    lock_.unlock();
    return poll && timed_out;
  }

  // wake_one() takes the most recent sleeper out of the set and wakes it (the futex call after
  // lock_ is dropped).
  void wake_one() {
    lock_.lock();
    slot* s = pop_sleeper_locked();
    if (s != nullptr) s->wake_word.store(1, std::memory_order_release);
    lock_.unlock();
    if (s == nullptr) return;
    host_.wake(*s);
    host_.count_wake();
  }

  // --- the sleeper set; lock_ must be held ---
  void push_sleeper_locked(slot& s) {
    assert(!s.listed.load() && "a worker announced itself as a sleeper twice");
    s.prev.store(nullptr);
    s.next.store(sleepers_.load());
    if (slot* first = sleepers_.load()) first->prev.store(&s);
    sleepers_.store(&s);
    s.listed.store(true);
  }
  // unlink_sleeper_locked() removes s from the set and un-counts it.
  void unlink_sleeper_locked(slot& s) {
    slot* prev = s.prev.load();
    slot* next = s.next.load();
    if (prev != nullptr) {
      prev->next.store(next);
    } else {
      sleepers_.store(next);
    }
    if (next != nullptr) next->prev.store(prev);
    s.prev.store(nullptr);
    s.next.store(nullptr);
    s.listed.store(false);
    nsleepers_.fetch_sub(1, std::memory_order_seq_cst);
  }
  slot* pop_sleeper_locked() {
    slot* s = sleepers_.load();
    if (s != nullptr) unlink_sleeper_locked(*s);
    return s;
  }

  Host& host_;
  const IdleTuning tuning_;
  typename Sync::mutex lock_;                          // guards sleepers_ and every IdleSlot's links
  typename Sync::template var<slot*> sleepers_;        // guarded by lock_
  typename Sync::template atomic<unsigned> nsleepers_{0};  // listed sleepers; written under lock_
  typename Sync::template atomic<unsigned> nspinning_{0};  // workers in spin()
  typename Sync::template atomic<bool> shutdown_{false};
};

}  // namespace goro::algo
