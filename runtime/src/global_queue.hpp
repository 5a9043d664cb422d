// global_queue.hpp — the runtime's instantiation of the global run queue (goro/algo/global_queue.hpp)
// and of the owner-only FIFO (goro/algo/owner_fifo.hpp), linked through G::queue_next.
#pragma once

#include "goro/algo/global_queue.hpp"
#include "goro/algo/owner_fifo.hpp"
#include "goroutine.hpp"

namespace goro::detail {

using GlobalQueue = algo::GlobalQueue<RuntimeSync, G, &G::queue_next>;
using OwnerFifo = algo::OwnerFifo<RuntimeSync, G, &G::queue_next>;

}  // namespace goro::detail
