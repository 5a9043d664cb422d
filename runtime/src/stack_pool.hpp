// stack_pool.hpp — goroutine stacks: lazily committed mappings, reused, guarded where possible.
//
// Stacks are carved from slabs mapped with MAP_NORESERVE: address space is reserved, RSS grows
// only with the pages a goroutine touches (usually one). A finished goroutine's stack goes back
// to a per-worker cache (hot, no page faults, no lock), then to a global free list; it is never
// unmapped while the Runtime lives, so spawning pays neither the first touch of a fresh page
// nor a system call (benches/README, "Machine costs"). release_memory() hands the RSS of free stacks back to the kernel.
//
// Guard pages: the lowest page of a stack is PROT_NONE, so an overflow faults instead of
// silently corrupting the neighbour (and overflow_guard.cpp turns that fault into a clear
// message). Each guard splits a mapping in two, and Linux limits a process to
// vm.max_map_count mappings (65,530 by default): one million guarded stacks would need two
// million. So the first stacks get guards while a budget lasts (a quarter of max_map_count);
// stacks mapped after that are unguarded — documented in the README's limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace goro::detail {

struct Stack {
  char* base = nullptr;    // lowest usable address
  std::size_t size = 0;    // usable bytes (excludes the guard page)
  bool guarded = false;
  void* tsan_fiber = nullptr;  // ThreadSanitizer builds only: this stack's TSan fiber, kept across reuse
  char* top() const { return base + size; }
};

class StackPool {
 public:
  explicit StackPool(std::size_t stack_size);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // acquire() returns a free stack, mapping a new slab only when the free list is empty.
  Stack acquire(std::vector<Stack>& cache);
  // release() returns a stack to `cache`, spilling half of a full cache to the global list.
  void release(std::vector<Stack>& cache, Stack stack);
  // release_memory() drops the resident pages of every globally free stack (MADV_DONTNEED).
  void release_memory();
  // is_guard_page() tells whether addr lies in a guard page of one of our stacks.
  bool is_guard_page(const void* addr) const;

  std::uint64_t stacks_mapped() const;
  std::size_t stack_size() const { return stack_size_; }

  static constexpr std::size_t kCacheSize = 32;

 private:
  void map_slab_locked();

  const std::size_t stack_size_;  // usable size, a multiple of the page size
  const std::size_t page_size_;
  mutable std::mutex mutex_;      // guards everything below
  std::vector<Stack> free_;
  struct Slab {
    char* begin;
    std::size_t bytes;
    std::size_t stride;
    bool guarded;
  };
  std::vector<Slab> slabs_;
  std::size_t guard_budget_;
  std::uint64_t mapped_ = 0;
};

}  // namespace goro::detail
