// goro_chan.hpp — goro's own channel algorithm (algo::Channel, goro/algo/chan.hpp) seen through
// the algorithm contract (goro::ChannelAlgorithm, <goro/algorithm.hpp>): the kit's scenarios,
// properties and workloads run goro's channel through this adapter exactly as they run a user's.
//
// The adapter only translates: a value moves through algo::Channel's Sync::var slot, OpStatus
// becomes SendStatus/RecvStatus. A blocking operation cancelled at the runtime's wind-down
// reports closed here (the kit's worlds never wind down a goroutine that is still blocked).
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "goro/algo/chan.hpp"
#include "goro/algorithm.hpp"

namespace goro::verify {

template <class Sync, class T>
class GoroChan {
  using Core = algo::Channel<T, Sync>;
  using Slot = typename Core::slot_type;

 public:
  explicit GoroChan(std::size_t capacity) : core_(capacity) {}

  SendStatus send(T& value) { return send(value, true); }
  SendStatus try_send(T& value) { return send(value, false); }
  RecvStatus recv(T& out) { return recv(out, true); }
  RecvStatus try_recv(T& out) { return recv(out, false); }
  bool close() { return core_.close() == algo::OpStatus::ok; }
  std::size_t len() const { return core_.length(); }
  std::size_t cap() const { return core_.capacity(); }

 private:
  SendStatus send(T& value, bool block) {
    Slot slot;
    slot.store(std::move(value));
    const algo::OpStatus status = core_.send(slot, block);
    if (status == algo::OpStatus::ok) return SendStatus::sent;
    value = std::move(*slot.take());  // not delivered: the caller keeps its value
    return status == algo::OpStatus::would_block ? SendStatus::full : SendStatus::closed;
  }
  RecvStatus recv(T& out, bool block) {
    Slot slot;
    const algo::OpStatus status = core_.recv(slot, block);
    if (status == algo::OpStatus::ok) {
      out = std::move(*slot.take());
      return RecvStatus::received;
    }
    return status == algo::OpStatus::would_block ? RecvStatus::empty : RecvStatus::closed;
  }

  Core core_;
};

}  // namespace goro::verify
