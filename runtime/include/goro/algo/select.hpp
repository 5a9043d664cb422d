// select.hpp — Go's select (after runtime/select.go), written once over a Sync policy.
//
// select() waits on several channel operations and completes exactly one of them.
//
//   pass 0 — shuffle the poll order (uniformly random, so no ready case starves);
//   pass 1 — look for a case that can complete now, in poll order, in two steps:
//     1a — one channel at a time: skip a case its channel certainly cannot complete (the
//          lock-free checks of chan.hpp's fast paths), else try it with only that channel
//          locked; the first case that completes wins;
//     1b — none did: sort the channels by address (the lock order), lock them all and look
//          again. A select with a default answers "nothing ready" only from here, and a
//          blocking select enqueues under these same locks;
//   pass 2 — none can (and no default): enqueue one Waiter per case, all sharing one
//            WaitContext, and park; the locks are dropped once we are off our stack;
//   pass 3 — woken: exactly one waiter was claimed (by a partner, by close, or by cancellation);
//            re-lock everything and unlink the losing waiters.
//
// Invariants:
//   - pass 1a holds at most one channel lock at a time; passes 1b–3 take locks only in
//     increasing channel address order, each channel once (a select may name the same channel
//     twice): two selects can never deadlock on each other;
//   - exactly one case completes: in pass 1 the one tried first that could, under its channel's
//     lock; after parking, the one whose waiter was claimed (the WaitContext claim decides among
//     concurrent wakers);
//   - "nothing ready" (a default, or parking) is decided only with every channel locked;
//   - a nil case (chan == nullptr) is never ready and never enqueued; a select whose cases are
//     all nil and that has no default parks until the runtime winds it down.
//
// Why pass 1a. Go's selectgo locks every channel (sorted) before it looks at any case, so a
// select that finds a case ready — the common case of a busy fan-in — pays a sort and n lock and
// unlock pairs, and on several cores pulls the cache line of every channel, when one lock is
// enough to complete one case. A case completed in 1a is an ordinary channel operation under
// that channel's lock: it happens at one instant, at which the case was ready. The cases 1a
// passed over were each not ready when looked at, so the choice is the first ready case of a
// uniformly random order, as in Go; a case that became ready behind 1a's back is one Go's select
// could also have missed by locking a moment earlier. What 1a cannot give is the other answer:
// each channel found not ready at a different instant does not make one instant at which none
// was (a value can move from a channel not yet checked to one already checked), so "nothing
// ready" — a default case, or parking — comes only from 1b, with every channel locked, as in
// Go (model_select's default_select_sees_value_in_flight checks it). Rejected: answering a default select from 1a alone (that atomicity is lost); keeping Go's
// lock-everything pass and only making the shuffle and the sort cheaper (the n locked
// read-modify-writes and cache lines are the cost, not the sort of a few pointers). A miss in 1a
// costs a load per channel (the lock-free check), not a lock, so a select that parks pays
// little for it.
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

// try_case() completes case c now if it can (ok, or closed), else returns would_block. c's
// channel lock must be held; wake-ups go to to_ready, to be readied after every unlock.
template <class Sync>
OpStatus try_case(SelectCase<Sync>& c, ReadyList<Sync>& to_ready) {
  return c.is_send ? c.chan->try_send_locked(c.slot, to_ready) : c.chan->try_recv_locked(c.slot, to_ready);
}

// certainly_blocks() says, without the lock, that c's channel cannot complete c now. It may be
// stale: pass 1a only skips on it, and pass 1b decides under the locks.
template <class Sync>
bool certainly_blocks(const SelectCase<Sync>& c) {
  if (c.is_send) return c.chan->send_would_block_unlocked();
  return c.chan->recv_would_block_unlocked() && !c.chan->closed_unlocked();
}

}  // namespace select_detail

// select() runs one select statement; block == false means the statement has a default case.
// Returns the completed case and its status: ok, closed (a receive saw a closed channel, or a
// send found one — the API layer raises the latter), would_block (default), or cancelled.
template <class Sync>
SelectOutcome select(std::span<SelectCase<Sync>> cases, SelectScratch<Sync> scratch, bool block) {
  const std::size_t n = cases.size();

  // pass 0: random poll order (Fisher–Yates).
  for (std::size_t i = 0; i < n; ++i) scratch.poll_order[i] = static_cast<std::uint32_t>(i);
  for (std::size_t i = n; i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(Sync::random(i));
    std::swap(scratch.poll_order[i - 1], scratch.poll_order[j]);
  }

  // pass 1a: look for something already waiting, one channel locked at a time.
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t i = scratch.poll_order[k];
    SelectCase<Sync>& c = cases[i];
    if (c.chan == nullptr || select_detail::certainly_blocks(c)) continue;
    ReadyList<Sync> to_ready;
    c.chan->lock_.lock();
    const OpStatus status = select_detail::try_case(c, to_ready);
    c.chan->lock_.unlock();
    if (status != OpStatus::would_block) {
      to_ready.ready_all();
      return {i, status};
    }
  }

  // pass 1b: the address-sorted lock order; look again with every channel locked.
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

  locked.lock_all();
  ReadyList<Sync> to_ready;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t i = scratch.poll_order[k];
    SelectCase<Sync>& c = cases[i];
    if (c.chan == nullptr) continue;
    OpStatus status = select_detail::try_case(c, to_ready);
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
