// run_end.hpp — the run-end protocol: how Runtime::run() learns that its program is over, and
// why a late "over" from one run never ends the next. Written once over a Sync policy and a Host
// (the runtime's Scheduler, runtime/src/scheduler.cpp, which supplies the futex and the
// goroutine registry; models/model_run_end.cpp's RunEndHost).
//
// A run is over when its wind-down has begun (main returned, a goroutine threw, or a deadlock
// was found: park.hpp's begin_wind_down() sets the flag this protocol owns) and its last
// goroutine has exited. Go's runtime exits the process at that point; a goro Runtime is reused,
// so the exits of run n may still be finishing while run n + 1 begins.
//
// Invariants:
//   - run n's run() returns only once run n is over: wait(n) returns once done_ >= n, and
//     done_ reaches n only through an exit of run n that saw the flag set and no goroutine live.
//   - every run ends: each exit looks (flag, then the live count) after its own unregister, and
//     the Host's registry locks order the looks, so the last exit sees no goroutine live. An exit
//     that reads the flag clear raced a begin_wind_down() by a goroutine still live (main, or one
//     that threw), whose own exit looks later; the deadlock decision runs while no goroutine runs
//     and readies every parked one, whose exits look later.
//   - done_ only rises, and an exit signals the epoch it read *before* looking: two exits of run n
//     may both find it over, and the second may signal after run n + 1 began; it raises done_ to
//     n at most, which run n + 1 does not wait for. (Signalling "a run ended" instead — a flag
//     run() resets and an exit sets — ends run n + 1 before its main: fixed by e7afb83.)
//   - begin_run() clears the flag before it publishes the new epoch (both seq_cst): an exit that
//     reads epoch n + 1 also reads run n + 1's flag, never run n's.
//   - epoch_ and the flag's reset are written only by begin_run(), one run at a time (the Host's
//     run lock); the flag is set by the park protocol's begin_wind_down().
// Lock order: none is held here. exited() calls the Host's live_goroutines(), which takes the
// registry's leaf locks; wait() sleeps on done_ holding no lock.
//
// The Host supplies (names as called):
//   live_goroutines()             goroutines registered and not yet unregistered
//   wait_for_run_end(word, seen)  sleep while word == seen (a futex wait; may return spuriously)
//   wake_run_waiter(word)         wake the thread sleeping on word
#pragma once

#include <atomic>  // std::memory_order
#include <cstdint>

namespace goro::algo {

// RunEnd is the protocol over one Host; Word is the Host's futex word type (done_).
template <class Sync, class Host, class Word = typename Sync::template atomic<std::uint32_t>>
class RunEnd {
 public:
  explicit RunEnd(Host& host) : host_(host) {}
  RunEnd(const RunEnd&) = delete;
  RunEnd& operator=(const RunEnd&) = delete;

  // begin_run() starts a run and returns its epoch; called by run() under the Host's run lock,
  // before the run's main goroutine is registered.
  std::uint32_t begin_run() {
    winding_down_.store(false, std::memory_order_seq_cst);
    // After the reset above: an exit that reads this epoch also reads the flag clear.
    const std::uint32_t epoch = epoch_.load(std::memory_order_relaxed) + 1;
    epoch_.store(epoch, std::memory_order_seq_cst);
    return epoch;
  }

  // wait() returns once the run numbered epoch is over; its goroutines' writes happen-before.
  void wait(std::uint32_t epoch) {
    for (std::uint32_t done = done_.load(std::memory_order_acquire); done != epoch;
         done = done_.load(std::memory_order_acquire)) {
      host_.wait_for_run_end(done_, done);
    }
  }

  // exited() is called by every goroutine exit, after the goroutine left the registry.
  void exited() {
    // The run this exit looks at, read before the flag and the count (see the invariants).
    const std::uint32_t epoch = epoch_.load(std::memory_order_seq_cst);
    if (!winding_down() || host_.live_goroutines() != 0) return;
    signal(epoch);
  }

  // winding_down() is true once the current run's wind-down began.
  bool winding_down() const { return winding_down_.load(std::memory_order_acquire); }
  // winding_down_flag() is the flag the park protocol sets (ParkProtocol's constructor takes it).
  typename Sync::template atomic<bool>& winding_down_flag() { return winding_down_; }

 private:
  // signal() raises done_ to epoch (never lowers it) and wakes run().
  void signal(std::uint32_t epoch) {
    std::uint32_t done = done_.load(std::memory_order_relaxed);
    while (static_cast<std::int32_t>(epoch - done) > 0 &&
           !done_.compare_exchange_weak(done, epoch, std::memory_order_release, std::memory_order_relaxed)) {
    }
    host_.wake_run_waiter(done_);
  }

  Host& host_;
  typename Sync::template atomic<bool> winding_down_{false};  // set by begin_wind_down(), reset by begin_run()
  typename Sync::template atomic<std::uint32_t> epoch_{0};    // the current run's number
  Word done_{0};                                              // the last finished epoch; run() sleeps on it
};

}  // namespace goro::algo
