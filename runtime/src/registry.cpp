// registry.cpp — the registry of live goroutines (registry.hpp).
#include "registry.hpp"

namespace goro::detail {

void Registry::add(G* g, unsigned shard_index) {
  Shard& shard = shards_[shard_index];
  g->registry_shard = shard_index;
  std::lock_guard lock(shard.lock);
  g->registry_prev = nullptr;
  g->registry_next = shard.head;
  if (shard.head != nullptr) shard.head->registry_prev = g;
  shard.head = g;
  ++shard.members;
}

void Registry::remove(G* g) {
  Shard& shard = shards_[g->registry_shard];
  std::lock_guard lock(shard.lock);
  if (g->registry_prev != nullptr) {
    g->registry_prev->registry_next = g->registry_next;
  } else {
    shard.head = g->registry_next;
  }
  if (g->registry_next != nullptr) g->registry_next->registry_prev = g->registry_prev;
  --shard.members;
}

std::size_t Registry::live() {
  std::size_t live = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.lock);
    live += shard.members;
  }
  return live;
}

}  // namespace goro::detail
