// stack_pool.cpp — see stack_pool.hpp for the design and its trade-offs.
#include "stack_pool.hpp"

#include "fiber_annotations.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>

namespace goro::detail {

namespace {

// Linux's values (uapi/asm-generic/mman-common.h), for headers older than the kernels that have them.
constexpr int kMadvPopulateWrite = 23;  // Linux 5.14

std::size_t read_max_map_count() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  std::size_t value = 65530;
  if (in) in >> value;
  return value;
}

// Stacks per slab: the first slab holds kFirstSlabStacks, each later one as many as are mapped
// already, up to kMaxSlabStacks — a Runtime with a few goroutines maps (and pre-faults) a few
// stacks, one with a million pays one mmap and one batched madvise call per 256 stacks.
// kMaxSlabStacks is also the most pages one process_madvise() call takes here (UIO_MAXIOV is
// 1024), and what one pre-faulted but unused slab can cost: 256 pages, 1 MiB.
constexpr std::size_t kFirstSlabStacks = 16;
constexpr std::size_t kMaxSlabStacks = 256;

// How this process pre-faults stack pages, learnt once from the kernel's answers.
enum class Prefault { batched, one_by_one, none };
std::atomic<Prefault> prefault_mode{Prefault::batched};

// self_pidfd() is a pidfd of this process for process_madvise(), opened once (close-on-exec);
// -1: none. A forked child inherits its parent's: the kernel refuses MADV_POPULATE_WRITE for
// another process, and the child falls back to madvise().
int self_pidfd() {
  static const int fd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
  return fd;
}

// prefault() faults in `count` pages `stride` apart from `first`: in one process_madvise() call
// where the kernel takes MADV_POPULATE_WRITE that way (Linux 6.13), else one madvise() per page
// (Linux 5.14; still no trap), else not at all — each first touch then faults.
void prefault(char* first, std::size_t count, std::size_t stride, std::size_t page) {
  std::size_t done = 0;
  if (prefault_mode.load(std::memory_order_relaxed) == Prefault::batched) {
    iovec pages[kMaxSlabStacks];
    for (std::size_t i = 0; i < count; ++i) pages[i] = {first + i * stride, page};
    const int self = self_pidfd();
    const long advised = self < 0 ? -1 : syscall(SYS_process_madvise, self, pages, count, kMadvPopulateWrite, 0u);
    if (advised < 0) {
      prefault_mode.store(Prefault::one_by_one, std::memory_order_relaxed);
    } else {
      done = static_cast<std::size_t>(advised) / page;
    }
  }
  if (prefault_mode.load(std::memory_order_relaxed) == Prefault::one_by_one) {
    for (; done < count; ++done) {
      if (madvise(first + done * stride, page, kMadvPopulateWrite) != 0) {
        prefault_mode.store(Prefault::none, std::memory_order_relaxed);
        return;
      }
    }
  }
}

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

StackPool::Slab StackPool::map_slab(std::size_t count) {
  const std::size_t stride = stack_size_ + page_size_;
  const std::size_t bytes = stride * count;
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mem == MAP_FAILED) {
    std::fprintf(stderr, "goro: cannot map %zu bytes of goroutine stacks: %s\n", bytes, std::strerror(errno));
    throw std::bad_alloc();
  }
  Slab slab{static_cast<char*>(mem), bytes, stride, 0};
  // Phase 1 — guards: the page below each stack, while the budget lasts.
  for (; slab.guarded < count && take_guard_budget(); ++slab.guarded) {
    if (mprotect(slab.begin + slab.guarded * stride, page_size_, PROT_NONE) != 0) {
      std::fprintf(stderr, "goro: mprotect of a guard page failed: %s\n", std::strerror(errno));
      break;
    }
  }
  // Phase 2 — the top page of each stack, where its G, closure and first frames go, faulted in
  // by one call instead of one page fault per spawn.
  prefault(slab.begin + stride - page_size_, count, stride, page_size_);
  return slab;
}

bool StackPool::take_guard_budget() {
  std::size_t budget = guard_budget_.load(std::memory_order_relaxed);
  while (budget > 0 && !guard_budget_.compare_exchange_weak(budget, budget - 1, std::memory_order_relaxed)) {
  }
  return budget > 0;
}

Stack StackPool::acquire(std::vector<Stack>& cache) {
  if (!cache.empty()) {
    Stack stack = cache.back();
    cache.pop_back();
    return stack;
  }
  std::unique_lock lock(mutex_);
  if (free_.empty()) {
    // Map outside the lock: the system calls take a while, and releasing workers need the lock.
    const std::size_t count = std::clamp<std::size_t>(mapped_, kFirstSlabStacks, kMaxSlabStacks);
    lock.unlock();
    const Slab slab = map_slab(count);
    lock.lock();
    slabs_.push_back(slab);
    for (std::size_t i = 0; i < count; ++i) {
      free_.push_back({slab.begin + i * slab.stride + page_size_, stack_size_, i < slab.guarded});
    }
    mapped_ += count;
  }
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
    if (p < slab.begin || p >= slab.begin + slab.bytes) continue;
    const auto offset = static_cast<std::size_t>(p - slab.begin);
    return offset / slab.stride < slab.guarded && offset % slab.stride < page_size_;
  }
  return false;
}

std::uint64_t StackPool::stacks_mapped() const {
  std::lock_guard lock(mutex_);
  return mapped_;
}

}  // namespace goro::detail
