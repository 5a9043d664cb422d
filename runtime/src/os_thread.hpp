// os_thread.hpp — how the runtime starts and joins its worker threads: std::thread, or, in the
// deterministic world (goro/sync/deterministic.hpp), a thread the seeded scheduler announces
// before it exists, hands the baton to, and joins through its own blocking.
#pragma once

#include <thread>
#include <utility>

#include "goro/sync/runtime_sync.hpp"

namespace goro::detail {

#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
// OsThread: the thread and its number in the deterministic scheduler.
struct OsThread {
  std::thread thread;
  unsigned id = 0;
  template <class F>
  static OsThread start(F body) {
    const unsigned id = sync::det::announce_thread();
    return OsThread{std::thread([id, body = std::move(body)]() mutable {
                      sync::det::begin_thread(id);
                      body();
                      sync::det::end_thread();
                    }),
                    id};
  }
  void join() {
    sync::det::join_thread(id);
    thread.join();
  }
};
#else
// OsThread: a std::thread.
struct OsThread {
  std::thread thread;
  template <class F>
  static OsThread start(F body) {
    return OsThread{std::thread(std::move(body))};
  }
  void join() { thread.join(); }
};
#endif

}  // namespace goro::detail
