// detail/spawn.hpp — the small type-erased doorway between the header-only API templates and
// the compiled runtime. Nothing here is public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace goro::detail {

struct G;          // a goroutine control block (runtime/src/goroutine.hpp)
class Scheduler;   // one per Runtime (runtime/src/scheduler.hpp)

// An entry point that runs the closure stored at `closure` and then destroys it.
using ClosureEntry = void (*)(void* closure);

// begin_spawn() reserves a goroutine and `size` bytes (aligned to `align`) for its closure on the
// new goroutine's own stack; finish_spawn() makes it runnable; abort_spawn() gives it back when
// constructing the closure threw. Outside a goroutine begin_spawn() throws std::logic_error;
// while the runtime winds down it throws goro::cancelled.
G* begin_spawn(std::size_t size, std::size_t align, void** closure);
void finish_spawn(G* g, ClosureEntry entry, ClosureEntry destroy) noexcept;
void abort_spawn(G* g) noexcept;

template <class Closure>
void invoke_closure(void* p) {
  auto* closure = static_cast<Closure*>(p);
  struct Destroy {
    Closure* c;
    ~Destroy() { c->~Closure(); }
  } destroy{closure};
  (*closure)();
}

template <class Closure>
void destroy_closure(void* p) {
  static_cast<Closure*>(p)->~Closure();
}

template <class Closure>
void spawn_closure(Closure&& closure) {
  using C = std::decay_t<Closure>;
  void* storage = nullptr;
  G* g = begin_spawn(sizeof(C), alignof(C), &storage);
  try {
    ::new (storage) C(std::forward<Closure>(closure));
  } catch (...) {
    abort_spawn(g);
    throw;
  }
  finish_spawn(g, &invoke_closure<C>, &destroy_closure<C>);
}

// The calling goroutine, or nullptr on a thread that is not running one.
G* current_g() noexcept;

// require_goroutine() throws std::logic_error("goro: <what> called outside a goroutine").
void require_goroutine(const char* what);

}  // namespace goro::detail
