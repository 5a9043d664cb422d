// stack_pool.hpp — goroutine stacks: lazily committed mappings, reused, guarded where possible.
//
// Stacks are carved from slabs mapped with MAP_NORESERVE: address space is reserved, RSS grows
// only with the pages a goroutine touches (usually one, the top page). A finished goroutine's
// stack goes back to a per-worker cache (hot, no page faults, no lock), then to a global free
// list; it is never unmapped while the Runtime lives, so a reused stack costs neither a first
// touch nor a system call (benches/README, "Machine costs"). release_memory() hands the RSS of
// free stacks back to the kernel.
//
// A fresh slab costs one mmap, its guards and one batched process_madvise() call, made outside
// the lock:
//   guards   — the page below each stack is PROT_NONE, so an overflow faults instead of silently
//              corrupting the neighbour (overflow_guard.cpp turns the fault into a message). Each
//              guard splits the mapping, and Linux limits a process to vm.max_map_count mappings
//              (65,530 by default): one million guarded stacks would need two million. So the
//              first stacks get guards while a budget lasts (a quarter of max_map_count); stacks
//              mapped after that are unguarded — documented in the README's limits. Rejected:
//              page-table guard markers (MADV_GUARD_INSTALL, Linux 6.13) on every stack — no
//              mapping split and no budget, but installing them costs more kernel time per
//              stack than a million live goroutines cost Go in all (benches/README, "Live
//              goroutines").
//   top page — MADV_POPULATE_WRITE (Linux 5.14) on the top page of each stack, where its G,
//              closure and first frames go, all of a slab's in one process_madvise() call
//              (Linux 6.13; older kernels: one madvise() per page), instead of one page fault
//              per spawn (on a virtual machine the fault's trap costs about as much as the
//              page: benches/README, "Live goroutines"). A slab pre-faults at most
//              kMaxSlabStacks pages that no goroutine may use yet. A kernel that refuses is not
//              asked again: each first touch then faults, as before.
#pragma once

#include <atomic>
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
  struct Slab {
    char* begin;
    std::size_t bytes;
    std::size_t stride;   // a stack and its guard page below it
    std::size_t guarded;  // the first `guarded` stacks of the slab have a guard page
  };
  // map_slab() maps `count` stacks, guards the first while the budget lasts and pre-faults their
  // top pages; called without the lock.
  Slab map_slab(std::size_t count);
  bool take_guard_budget();

  const std::size_t stack_size_;  // usable size, a multiple of the page size
  const std::size_t page_size_;
  std::atomic<std::size_t> guard_budget_;  // guard pages left to map
  mutable std::mutex mutex_;      // guards everything below
  std::vector<Stack> free_;
  std::vector<Slab> slabs_;
  std::uint64_t mapped_ = 0;
};

}  // namespace goro::detail
