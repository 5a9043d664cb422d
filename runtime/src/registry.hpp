// registry.hpp — the registry of live goroutines: what the wind-down scans (for_each) and what
// the idle and run-end protocols count (live(): goroutines created and not yet exited).
//
// Sharded by spawning worker (+1 shard for spawns from outside the workers). It is also the live
// count: a shard counts its members under the lock it takes anyway, so a spawn and an exit write
// no cache line shared by all workers (a global counter, one read-modify-write per spawn and per
// exit, bounced between the spawning and the exiting core: benches/README, "Cross-core
// hand-offs", item 4).
//
// Lock order: each shard's lock is a leaf; live() and for_each() take the shards one at a time.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "goro/sync/spin_mutex.hpp"
#include "goroutine.hpp"

namespace goro::detail {

class Registry {
 public:
  explicit Registry(unsigned shards) : shards_(shards) {}

  // add() makes g a member of the given shard; remove() takes it out of its shard again.
  void add(G* g, unsigned shard);
  void remove(G* g);

  // live() is the number of members, summed shard by shard under each shard's lock. Exact when
  // no goroutine is spawned or exits meanwhile; and the last exit of a run, summing after its
  // own remove(), sees every earlier remove() (the shard locks order them).
  std::size_t live();

  // for_each() calls visit(g) for every member, under g's shard lock (visit takes no other).
  template <class Visit>
  void for_each(Visit&& visit) {
    for (Shard& shard : shards_) {
      std::lock_guard shard_lock(shard.lock);
      for (G* g = shard.head; g != nullptr; g = g->registry_next) visit(g);
    }
  }

  // for_each_stopped() is for_each() for a stopped world only (the deterministic scheduler's
  // stop, where no other thread runs): it takes no lock, so a shard lock held by a stopped
  // thread cannot block it.
  template <class Visit>
  void for_each_stopped(Visit&& visit) {
    for (Shard& shard : shards_) {
      for (G* g = shard.head; g != nullptr; g = g->registry_next) visit(g);
    }
  }

 private:
  struct alignas(64) Shard {
    sync::SpinMutex lock;  // guards head, members and the G::registry_* links of its members
    G* head = nullptr;
    std::size_t members = 0;
  };
  std::vector<Shard> shards_;
};

}  // namespace goro::detail
