// runtime_sync.hpp — which Sync policy the runtime is built on (a build-time choice), and the
// Host the runtime gives goro::algo::Mutex (goro/algo/mutex.hpp).
#pragma once

#include <cstdint>

#include "goro/sync/contract.hpp"

#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
#include "goro/sync/deterministic.hpp"
namespace goro::detail {
using RuntimeSync = sync::DeterministicSync;
}
#elif defined(GORO_CHAOS) && GORO_CHAOS
#include "goro/sync/chaos.hpp"
namespace goro::detail {
using RuntimeSync = sync::ChaosSync;
}
#else
#include "goro/sync/native.hpp"
namespace goro::detail {
using RuntimeSync = sync::NativeSync;
}
#endif

namespace goro {
// RuntimeSync is the Sync policy of this build of the runtime (goro/sync/contract.hpp): instantiate
// an algorithm of your own with it to run it inside goro's runtime.
using RuntimeSync = detail::RuntimeSync;
static_assert(sync::SyncPolicy<RuntimeSync>, "the runtime's Sync policy satisfies the Sync contract");
}  // namespace goro

namespace goro::detail {

// RuntimeMutexHost is algo::Mutex's Host in the runtime (sync_api.cpp): the steady clock, and
// Go's canSpin question put to the scheduler — is any worker other than ours running a
// goroutine (not sleeping, not spinning for work)? With one worker, or all others idle, the
// owner cannot be running, and spinning only delays it.
struct RuntimeMutexHost {
  static std::int64_t now_ns() noexcept;
  static bool spinning_may_pay() noexcept;
  // spin() is one round of active spinning: Go's procyield(30), 30 pause instructions.
  static void spin() noexcept {
    for (int i = 0; i < 30; ++i) sync::spin_pause();
  }
};

}  // namespace goro::detail
