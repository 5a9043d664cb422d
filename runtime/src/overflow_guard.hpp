// overflow_guard.hpp — turns a fault in a stack guard page into a clear message (see the .cpp).
#pragma once

#include "stack_pool.hpp"

namespace goro::detail {

void install_overflow_guard(const StackPool* pool);
void remove_overflow_guard(const StackPool* pool);
// install_alternate_signal_stack() gives the calling (worker) thread a stack for the handler.
void install_alternate_signal_stack();

}  // namespace goro::detail
