// exception_state.hpp — the per-thread C++ exception-handling state a goroutine must carry with it
// across switches (see context.hpp). Mirrors libsupc++'s __cxa_eh_globals (unwind-cxx.h):
//   struct __cxa_eh_globals { __cxa_exception* caughtExceptions; unsigned int uncaughtExceptions; };
// (ARM EABI adds a third field; goro targets x86-64 and AArch64 Linux, where it is absent.)
#pragma once

#include <cxxabi.h>

namespace goro::detail {

struct ExceptionState {
  void* caught_exceptions = nullptr;
  unsigned int uncaught_exceptions = 0;
};

#if defined(__ARM_EABI_UNWINDER__)
#error "goro: the ARM EABI __cxa_eh_globals layout is not supported"
#endif

inline ExceptionState* current_exception_state() noexcept {
  return reinterpret_cast<ExceptionState*>(abi::__cxa_get_globals());
}

}  // namespace goro::detail
