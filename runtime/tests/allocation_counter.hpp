// allocation_counter.hpp — counts operator new calls per thread, so a test can check that an
// operation does not allocate. Linking allocation_counter.cpp replaces the global operator
// new/delete of the whole test binary (a separate file, so the compiler never sees the
// replacement paired with its callers).
#pragma once

#include <cstdint>

namespace goro::testing {

// allocations_on_this_thread() is how many times operator new ran on the calling thread. A
// goroutine reading it twice gets a meaningful difference only if it did not switch (and so
// could not change worker threads) in between.
std::uint64_t allocations_on_this_thread() noexcept;

}  // namespace goro::testing
