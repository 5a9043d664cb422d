// runtime_sync.hpp — which Sync policy the runtime is built on (a build-time choice).
#pragma once

#if defined(GORO_CHAOS) && GORO_CHAOS
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
