// goro_deque.hpp — goro's own work-stealing deque (algo::ChaseLevDeque, goro/algo/chase_lev_deque.hpp,
// the steal policy's run queue) seen through the algorithm contract (goro::RunQueueAlgorithm,
// <goro/algorithm.hpp>): the kit's run-queue scenarios run goro's deque through this adapter
// exactly as they run a user's queue (models/model_chase_lev_deque.cpp).
//
// The adapter only renames: the owner's take() is the contract's pop(). Capacity 4, as small as
// the scenarios need to fill it (fill_vs_thief pushes five).
#pragma once

#include "goro/algo/chase_lev_deque.hpp"
#include "goro/algorithm.hpp"

namespace goro::verify {

template <class Sync, class T>
class GoroDeque {
 public:
  bool push(T* item) { return deque_.push(item); }
  T* pop() { return deque_.take(); }
  T* steal() { return deque_.steal(); }

 private:
  algo::ChaseLevDeque<T*, Sync, 4> deque_;
};

}  // namespace goro::verify
