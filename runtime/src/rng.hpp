// rng.hpp — the runtime's name for goro::Rng (goro/rng.hpp, public: policies pick victims with it).
#pragma once

#include "goro/rng.hpp"

namespace goro::detail {

using Rng = goro::Rng;

}  // namespace goro::detail
