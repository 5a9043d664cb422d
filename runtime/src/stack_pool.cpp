// stack_pool.cpp — see stack_pool.hpp for the design and its trade-offs.
#include "stack_pool.hpp"

#include "fiber_annotations.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>

namespace goro::detail {

namespace {

std::size_t read_max_map_count() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  std::size_t value = 65530;
  if (in) in >> value;
  return value;
}

// Stacks per slab: small slabs while guarding (the guards split them anyway), big ones after.
constexpr std::size_t kGuardedSlabStacks = 16;
constexpr std::size_t kUnguardedSlabStacks = 256;

}  // namespace

StackPool::StackPool(std::size_t stack_size)
    : stack_size_([&] {
        const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        const std::size_t size = std::max<std::size_t>(stack_size, 16 * 1024);
        return (size + page - 1) / page * page;
      }()),
      page_size_(static_cast<std::size_t>(sysconf(_SC_PAGESIZE))),
      guard_budget_(read_max_map_count() / 4 / 2) {}

StackPool::~StackPool() {
  // Stacks in use when the pool dies belong to a Runtime that is being destroyed after its last
  // run(): every goroutine has exited, so every stack is on the free list.
  for (const Stack& stack : free_) fiber_annotations::tsan_destroy(stack.tsan_fiber);
  for (const Slab& slab : slabs_) munmap(slab.begin, slab.bytes);
}

void StackPool::map_slab_locked() {
  const bool guarded = guard_budget_ >= kGuardedSlabStacks;
  const std::size_t count = guarded ? kGuardedSlabStacks : kUnguardedSlabStacks;
  const std::size_t stride = stack_size_ + (guarded ? page_size_ : 0);
  const std::size_t bytes = stride * count;
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mem == MAP_FAILED) {
    std::fprintf(stderr, "goro: cannot map %zu bytes of goroutine stacks: %s\n", bytes, std::strerror(errno));
    throw std::bad_alloc();
  }
  char* begin = static_cast<char*>(mem);
  slabs_.push_back({begin, bytes, stride, guarded});
  for (std::size_t i = 0; i < count; ++i) {
    char* lowest = begin + i * stride;
    if (guarded) {
      if (mprotect(lowest, page_size_, PROT_NONE) != 0) {
        std::fprintf(stderr, "goro: mprotect of a guard page failed: %s\n", std::strerror(errno));
      }
      free_.push_back({lowest + page_size_, stack_size_, true});
    } else {
      free_.push_back({lowest, stack_size_, false});
    }
  }
  if (guarded) guard_budget_ -= count;
  mapped_ += count;
}

Stack StackPool::acquire(std::vector<Stack>& cache) {
  if (!cache.empty()) {
    Stack stack = cache.back();
    cache.pop_back();
    return stack;
  }
  std::lock_guard lock(mutex_);
  if (free_.empty()) map_slab_locked();
  // Refill half the cache in one lock round-trip.
  const std::size_t take = std::min(free_.size() - 1, kCacheSize / 2);
  for (std::size_t i = 0; i < take; ++i) {
    cache.push_back(free_.back());
    free_.pop_back();
  }
  Stack stack = free_.back();
  free_.pop_back();
  return stack;
}

void StackPool::release(std::vector<Stack>& cache, Stack stack) {
  cache.push_back(stack);
  if (cache.size() < kCacheSize) return;
  std::lock_guard lock(mutex_);
  const std::size_t keep = kCacheSize / 2;
  free_.insert(free_.end(), cache.begin() + static_cast<std::ptrdiff_t>(keep), cache.end());
  cache.resize(keep);
}

void StackPool::release_memory() {
  std::lock_guard lock(mutex_);
  for (const Stack& stack : free_) madvise(stack.base, stack.size, MADV_DONTNEED);
}

bool StackPool::is_guard_page(const void* addr) const {
  const char* p = static_cast<const char*>(addr);
  std::unique_lock lock(mutex_, std::try_to_lock);  // called from a signal handler: never wait
  if (!lock.owns_lock()) return false;
  for (const Slab& slab : slabs_) {
    if (!slab.guarded || p < slab.begin || p >= slab.begin + slab.bytes) continue;
    return static_cast<std::size_t>(p - slab.begin) % slab.stride < page_size_;
  }
  return false;
}

std::uint64_t StackPool::stacks_mapped() const {
  std::lock_guard lock(mutex_);
  return mapped_;
}

}  // namespace goro::detail
