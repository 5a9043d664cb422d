// backend_fiber.hpp — the `fiber/<algorithm>` backends: Boost.Fiber 1.74 (Debian's
// libboost-fiber-dev) with its own channels, mutex and condition variable.
//
// Each benchmark gets N dedicated std::threads created by run(); every one installs the
// scheduling algorithm with use_scheduling_algorithm<>() before any fiber exists. Thread 0 runs
// the measured loop in its main context (pinned: Boost never migrates a main context); threads
// 1..N-1 park their main context on a fiber condition variable, which lets their dispatcher run
// fibers. Quirks, and how they are handled (benches/README.md says the same):
//   - buffered_channel<T>(c) needs c a power of two >= 2 and holds only c-1 items: for capacity k
//     we use std::bit_ceil(k+1) (k=1 -> 2 slots, k=128 -> 256, which holds 255), and
//     unbuffered_channel for k=0.
//   - there is no select: select workloads report "unsupported", never an emulation.
//   - round_robin never moves a fiber between threads: at workers:N>1 the extra threads idle.
//   - shared_work and work_stealing busy-spin idle threads (suspend=false, Boost's default; with
//     suspend=true an idle thread sleeps until one of *its* fibers is readied, so it never picks
//     up shared or stealable work and the pool degenerates to one thread).
//   - work_stealing keeps process-global state (a static id counter and a static scheduler array
//     sized by the first construction) and cannot be set up twice in one process; we reset both
//     before each pool (see WorkStealingReset below). With one thread its pick_next() looks for a
//     victim other than itself forever, so workers:1 is reported unsupported.
//   - launch::post (Go-like: the child is queued, the parent continues) is the default spawn;
//     skynet uses launch::dispatch (the child runs at once, depth first), because with post all
//     1,000,000 fibers are alive at once — gigabytes of stacks — where dispatch keeps ~60 alive.
//   - stacks: 64 KiB (goro's default size) from StackPool below, a locked free list of lazily
//     committed mmap'd stacks. Boost's fixedsize_stack mallocs and frees each stack, and glibc
//     trims and regrows the heap top on every skynet spawn (4 s of mostly system time at
//     workers:1); Boost's pooled_fixedsize_stack is not thread-safe, and shared_work and
//     work_stealing free stacks on other threads. goro and Go pool their stacks too.
#pragma once

#include <boost/fiber/algo/round_robin.hpp>
#include <boost/fiber/algo/shared_work.hpp>
#include <boost/fiber/algo/work_stealing.hpp>
#include <boost/fiber/all.hpp>
#include <sys/mman.h>

#include <atomic>
#include <bit>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "harness.hpp"

namespace benches {

namespace fiber_detail {

// Reaching Boost's private statics without editing Boost: explicit instantiation may name
// private members ([temp.explicit]/14), and the friend function hands out their addresses.
struct CounterTag {
  using type = std::atomic<std::uint32_t>*;
  friend type get(CounterTag);
};
struct SchedulersTag {
  using type = std::vector<boost::intrusive_ptr<boost::fibers::algo::work_stealing>>*;
  friend type get(SchedulersTag);
};
template <class Tag, typename Tag::type Member>
struct Rob {
  friend typename Tag::type get(Tag) { return Member; }
};
template struct Rob<CounterTag, &boost::fibers::algo::work_stealing::counter_>;
template struct Rob<SchedulersTag, &boost::fibers::algo::work_stealing::schedulers_>;

// WorkStealingReset prepares Boost 1.74's work_stealing for a fresh pool of `threads`: ids start
// at 0 again and the scheduler array has one empty slot per thread. Only valid while no
// work_stealing pool is running (run() builds one pool at a time and joins it).
inline void reset_work_stealing(std::uint32_t threads) {
  get(CounterTag{})->store(0);
  get(SchedulersTag{})->assign(threads, nullptr);
}

template <class T>
class Chan {
 public:
  Chan() = default;
  explicit Chan(std::size_t capacity) : impl_(std::make_shared<Impl>()) {
    if (capacity == 0)
      impl_->unbuffered = std::make_unique<boost::fibers::unbuffered_channel<T>>();
    else
      impl_->buffered = std::make_unique<boost::fibers::buffered_channel<T>>(std::bit_ceil(capacity + 1));
  }
  void send(T v) {
    auto status = impl_->buffered ? impl_->buffered->push(std::move(v)) : impl_->unbuffered->push(std::move(v));
    if (status != boost::fibers::channel_op_status::success)
      throw std::logic_error("fiber: send on closed channel");
  }
  std::optional<T> recv() {
    T v{};
    auto status = impl_->buffered ? impl_->buffered->pop(v) : impl_->unbuffered->pop(v);
    if (status == boost::fibers::channel_op_status::success) return v;
    return std::nullopt;
  }
  void close() {
    if (impl_->buffered)
      impl_->buffered->close();
    else
      impl_->unbuffered->close();
  }

 private:
  struct Impl {
    std::unique_ptr<boost::fibers::buffered_channel<T>> buffered;
    std::unique_ptr<boost::fibers::unbuffered_channel<T>> unbuffered;
  };
  std::shared_ptr<Impl> impl_;
};

// WaitGroup: Boost.Fiber has none; a counter under a fiber mutex and condition variable.
class WaitGroup {
 public:
  void add(long n) {
    std::unique_lock lock(mutex_);
    count_ += n;
    if (count_ == 0) cv_.notify_all();
  }
  void done() { add(-1); }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return count_ == 0; });
  }

 private:
  boost::fibers::mutex mutex_;
  boost::fibers::condition_variable cv_;
  long count_ = 0;  // guarded by mutex_
};

// StackPool hands out 64 KiB stacks, reusing freed ones. Stacks are mmap'd (RSS grows only with
// touched pages) and never unmapped; trim() drops the pages of every free stack so an RSS delta
// measured next counts the pages a workload really touches.
class StackPool {
 public:
  static constexpr std::size_t kSize = 64 * 1024;
  static StackPool& instance() {
    static StackPool pool;
    return pool;
  }
  void* take() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        void* base = free_.back();
        free_.pop_back();
        return base;
      }
    }
    void* base = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    return base;
  }
  void give_back(void* base) {
    std::lock_guard lock(mutex_);
    free_.push_back(base);
  }
  void trim() {
    std::lock_guard lock(mutex_);
    for (void* base : free_) madvise(base, kSize, MADV_DONTNEED);
  }

 private:
  std::mutex mutex_;
  std::vector<void*> free_;  // guarded by mutex_
};

// PooledStack is the StackAllocator Boost.Fiber is given (the concept of boost::context).
struct PooledStack {
  boost::context::stack_context allocate() {
    boost::context::stack_context sctx;
    void* base = StackPool::instance().take();
    sctx.size = StackPool::kSize;
    sctx.sp = static_cast<char*>(base) + StackPool::kSize;
    return sctx;
  }
  void deallocate(boost::context::stack_context& sctx) noexcept {
    StackPool::instance().give_back(static_cast<char*>(sctx.sp) - sctx.size);
  }
};

inline std::atomic<long>& live_fibers() {
  static std::atomic<long> n{0};
  return n;
}

}  // namespace fiber_detail

enum class FiberAlgorithm { round_robin, shared_work, work_stealing };

template <FiberAlgorithm Algorithm>
class FiberBackend {
 public:
  static constexpr const char* kSelectUnsupported = "unsupported: Boost.Fiber has no select";
  static constexpr const char* kSkynetUnsupported = nullptr;
  static constexpr std::size_t kParkedTasks = 100'000;
  static constexpr bool kHasStats = false;

  template <class T>
  using Chan = fiber_detail::Chan<T>;
  using WaitGroup = fiber_detail::WaitGroup;
  using Mutex = boost::fibers::mutex;

  explicit FiberBackend(unsigned workers) : workers_(workers) {
    if (Algorithm == FiberAlgorithm::work_stealing && workers < 2)
      throw Unsupported("Boost.Fiber 1.74 work_stealing with 1 thread spins forever looking for a victim");
  }

  template <class Body>
  void run(Body&& body) {
    if constexpr (Algorithm == FiberAlgorithm::work_stealing) fiber_detail::reset_work_stealing(workers_);
    // Every thread installs its algorithm, then waits here until all have (work_stealing's
    // victims must all be registered before anyone looks for work).
    std::mutex setup_mutex;
    std::condition_variable setup_cv;
    unsigned installed = 0;
    auto install = [&] {
      if constexpr (Algorithm == FiberAlgorithm::round_robin)
        boost::fibers::use_scheduling_algorithm<boost::fibers::algo::round_robin>();
      else if constexpr (Algorithm == FiberAlgorithm::shared_work)
        boost::fibers::use_scheduling_algorithm<boost::fibers::algo::shared_work>();
      else
        boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(workers_);
      std::unique_lock lock(setup_mutex);
      if (++installed == workers_) setup_cv.notify_all();
      setup_cv.wait(lock, [&] { return installed == workers_; });
    };
    boost::fibers::mutex done_mutex;
    boost::fibers::condition_variable done_cv;
    bool done = false;
    std::exception_ptr failure;
    std::vector<std::thread> helpers;
    for (unsigned i = 1; i < workers_; ++i) {
      helpers.emplace_back([&] {
        install();
        std::unique_lock lock(done_mutex);
        done_cv.wait(lock, [&] { return done; });
      });
    }
    std::thread main_thread([&] {
      install();
      try {
        body();
      } catch (...) {
        failure = std::current_exception();
      }
      while (fiber_detail::live_fibers().load(std::memory_order_acquire) != 0) boost::this_fiber::yield();
      {
        std::unique_lock lock(done_mutex);
        done = true;
      }
      done_cv.notify_all();
    });
    main_thread.join();
    for (auto& t : helpers) t.join();
    if (failure) std::rethrow_exception(failure);
  }

  template <class T>
  static Chan<T> make_chan(std::size_t capacity) {
    return Chan<T>(capacity);
  }

  template <class F>
  static void spawn(F&& f) {
    launch(boost::fibers::launch::post, std::forward<F>(f));
  }
  template <class F>
  static void spawn_depth_first(F&& f) {
    launch(boost::fibers::launch::dispatch, std::forward<F>(f));
  }

  static void yield() { boost::this_fiber::yield(); }

  template <class T>
  static std::pair<std::size_t, std::optional<T>> select2(Chan<T>&, Chan<T>&) {
    throw std::logic_error("unreachable: Boost.Fiber has no select");
  }
  template <class T>
  static std::pair<std::size_t, std::optional<T>> select_any(std::span<Chan<T>>) {
    throw std::logic_error("unreachable: Boost.Fiber has no select");
  }

  OpStats stats() const { return {}; }

  // release_free_memory() returns freed heap and pooled stack pages to the OS (parked_memory).
  static void release_free_memory() {
    release_free_heap();
    fiber_detail::StackPool::instance().trim();
  }

 private:
  template <class F>
  static void launch(boost::fibers::launch policy, F&& f) {
    fiber_detail::live_fibers().fetch_add(1, std::memory_order_relaxed);
    boost::fibers::fiber(policy, std::allocator_arg, fiber_detail::PooledStack{},
                         [fn = std::forward<F>(f)]() mutable {
                           fn();
                           fiber_detail::live_fibers().fetch_sub(1, std::memory_order_acq_rel);
                         })
        .detach();
  }

  unsigned workers_;
};

}  // namespace benches
