// select.hpp — Go's select (after runtime/select.go), written once over a Sync policy.
//
// select() waits on several channel operations and completes exactly one of them.
//
//   pass 0 — shuffle the poll order (uniformly random, so no ready case starves) and sort the
//            channels by address: the lock order;
//   pass 1 — with every channel locked, look for a case that can complete now, in poll order;
//   pass 2 — none can (and no default): enqueue one Waiter per case, all sharing one
//            WaitContext, and park; the locks are dropped once we are off our stack;
//   pass 3 — woken: exactly one waiter was claimed (by a partner, by close, or by cancellation);
//            re-lock everything and unlink the losing waiters.
//
// Invariants:
//   - locks are always taken in increasing channel address order, each channel once (a select
//     may name the same channel twice): two selects can never deadlock on each other;
//   - exactly one case completes: the WaitContext claim decides among concurrent wakers;
//   - a nil case (chan == nullptr) is never ready and never enqueued; a select whose cases are
//     all nil and that has no default parks until the runtime winds it down.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "goro/algo/chan.hpp"
#include "goro/algo/waiter.hpp"

namespace goro::algo {

template <class Sync>
struct SelectCase {
  ChannelBase<Sync>* chan = nullptr;  // nullptr: a nil channel
  bool is_send = false;
  void* slot = nullptr;               // Sync::var<std::optional<T>> of the case's element type
};

struct SelectOutcome {
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::size_t index = kNone;  // the case that completed; kNone for default / cancelled
  OpStatus status = OpStatus::would_block;
};

// SelectScratch is the per-call working memory: the caller provides it (on its stack for a
// fixed number of cases, in a small vector for the dynamic form) so select never allocates.
template <class Sync>
struct SelectScratch {
  std::span<Waiter<Sync>> waiters;        // one per case
  std::span<std::uint32_t> poll_order;    // one per case
  std::span<std::uint32_t> lock_order;    // one per case
};

namespace select_detail {

template <class Sync>
struct Locked {
  std::span<SelectCase<Sync>> cases;
  std::span<std::uint32_t> lock_order;  // sorted, deduplicated by channel, nil cases dropped
  std::size_t count = 0;

  void lock_all() const {
    for (std::size_t i = 0; i < count; ++i) cases[lock_order[i]].chan->lock_.lock();
  }
  void unlock_all() const {
    for (std::size_t i = count; i-- > 0;) cases[lock_order[i]].chan->lock_.unlock();
  }
  static void unlock_all_erased(void* self) { static_cast<Locked*>(self)->unlock_all(); }
};

}  // namespace select_detail

// select() runs one select statement; block == false means the statement has a default case.
// Returns the completed case and its status: ok, closed (a receive saw a closed channel, or a
// send found one — the API layer raises the latter), would_block (default), or cancelled.
template <class Sync>
SelectOutcome select(std::span<SelectCase<Sync>> cases, SelectScratch<Sync> scratch, bool block) {
  const std::size_t n = cases.size();

  // pass 0: random poll order (Fisher–Yates) and the address-sorted lock order.
  for (std::size_t i = 0; i < n; ++i) scratch.poll_order[i] = static_cast<std::uint32_t>(i);
  for (std::size_t i = n; i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(Sync::random(i));
    std::swap(scratch.poll_order[i - 1], scratch.poll_order[j]);
  }
  std::size_t lock_count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (cases[i].chan != nullptr) scratch.lock_order[lock_count++] = static_cast<std::uint32_t>(i);
  }
  std::sort(scratch.lock_order.begin(), scratch.lock_order.begin() + lock_count,
            [&](std::uint32_t a, std::uint32_t b) { return std::less<>{}(cases[a].chan, cases[b].chan); });
  lock_count = static_cast<std::size_t>(
      std::unique(scratch.lock_order.begin(), scratch.lock_order.begin() + lock_count,
                  [&](std::uint32_t a, std::uint32_t b) { return cases[a].chan == cases[b].chan; }) -
      scratch.lock_order.begin());
  select_detail::Locked<Sync> locked{cases, scratch.lock_order, lock_count};

  // pass 1: look for something already waiting.
  locked.lock_all();
  ReadyList<Sync> to_ready;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t i = scratch.poll_order[k];
    SelectCase<Sync>& c = cases[i];
    if (c.chan == nullptr) continue;
    OpStatus status = c.is_send ? c.chan->try_send_locked(c.slot, to_ready) : c.chan->try_recv_locked(c.slot, to_ready);
    if (status != OpStatus::would_block) {
      locked.unlock_all();
      to_ready.ready_all();
      return {i, status};
    }
  }
  if (!block) {
    locked.unlock_all();
    return {SelectOutcome::kNone, OpStatus::would_block};
  }

  // pass 2: enqueue on all channels, in lock order, then park.
  WaitContext<Sync> ctx;
  ctx.goroutine = Sync::current_goroutine();
  ctx.reason = WaitReason::select;
  for (std::size_t i = 0; i < n; ++i) {
    Waiter<Sync>& w = scratch.waiters[i];
    w.ctx = &ctx;
    w.slot = cases[i].slot;
    w.case_index = i;
    if (cases[i].chan == nullptr) continue;
    (cases[i].is_send ? cases[i].chan->sendq_ : cases[i].chan->recvq_).enqueue(&w);
  }
  Sync::park(ctx, &select_detail::Locked<Sync>::unlock_all_erased, &locked);

  // pass 3: dequeue from the losers (the winner was unlinked by whoever claimed it).
  locked.lock_all();
  for (std::size_t i = 0; i < n; ++i) {
    if (cases[i].chan == nullptr) continue;
    (cases[i].is_send ? cases[i].chan->sendq_ : cases[i].chan->recvq_).remove(&scratch.waiters[i]);
  }
  locked.unlock_all();

  if (ctx.cancelled.load()) return {SelectOutcome::kNone, OpStatus::cancelled};
  Waiter<Sync>* winner = ctx.fired.load();
  return {winner->case_index, winner->success.load() ? OpStatus::ok : OpStatus::closed};
}

}  // namespace goro::algo
