// goroutine_api.cpp — the goroutine-side entry points: spawning, yield, sleep, identity, and the
// runtime Sync policy's goroutine operations (park/ready), all forwarding to the Scheduler.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "goro/chan.hpp"
#include "goro/errors.hpp"
#include "goro/go.hpp"
#include "goro/sync/runtime_sync.hpp"
#include "scheduler.hpp"

namespace goro {

namespace detail {

G* current_g() noexcept {
  Worker* w = this_worker();
  return w != nullptr ? w->current : nullptr;
}

void require_goroutine(const char* what) {
  if (current_g() == nullptr) throw std::logic_error(std::string("goro: ") + what + " called outside a goroutine");
}

void require_goroutine_for_select() {
  if (current_g() == nullptr) require_goroutine("select");
}

[[noreturn]] void throw_cancelled() { throw cancelled(); }

G* begin_spawn(std::size_t size, std::size_t align, void** closure) {
  Worker* w = this_worker();
  if (w == nullptr || w->current == nullptr) throw std::logic_error("goro: go() called outside a goroutine");
  return w->scheduler->begin_spawn(w, size, align, closure);
}

void finish_spawn(G* g, ClosureEntry entry, ClosureEntry destroy) noexcept {
  g->scheduler->finish_spawn(this_worker(), g, entry, destroy);
}

void abort_spawn(G* g) noexcept { g->scheduler->abort_spawn(this_worker(), g); }

namespace {
void no_unlock(void*) {}
}  // namespace

[[noreturn]] void park_forever() {
  G* g = current_g();
  if (g == nullptr) throw std::logic_error("goro: blocking on a nil channel outside a goroutine");
  WaitContext ctx;
  ctx.goroutine = g;
  ctx.reason = algo::WaitReason::nil_chan;
  RuntimeSync::park(ctx, &no_unlock, nullptr);
  // Only the wind-down claims a context nobody else can see.
  throw cancelled();
}

}  // namespace detail

void yield() {
  detail::G* g = detail::current_g();
  if (g == nullptr) throw std::logic_error("goro: yield() called outside a goroutine");
  if (g->scheduler->winding_down()) throw cancelled();
  g->scheduler->yield(g);
  if (g->scheduler->winding_down()) throw cancelled();
}

namespace this_goroutine {
std::uint64_t id() {
  detail::G* g = detail::current_g();
  if (g == nullptr) throw std::logic_error("goro: this_goroutine::id() called outside a goroutine");
  return g->id;
}
}  // namespace this_goroutine

// ---------------------------------------------------------------- the runtime Sync policy

namespace sync {

// Built is the Sync policy this build's runtime uses (goro::RuntimeSync, runtime_sync.hpp).
using Built = detail::RuntimeSync;

Built::goroutine Built::current_goroutine() noexcept { return detail::current_g(); }

void Built::park(algo::WaitContext<Built>& ctx, void (*unlock)(void*), void* arg) {
  detail::G* g = ctx.goroutine;
  if (g == nullptr) {
    // The API layer checks for a goroutine before every blocking call: reaching this is a bug.
    std::fputs("goro: internal error: park() outside a goroutine\n", stderr);
    std::abort();
  }
  g->scheduler->park(g, ctx, unlock, arg);
}

void Built::ready(goroutine t) noexcept { t->scheduler->ready(t); }

std::uint64_t Built::random(std::uint64_t bound) noexcept {
  // Inside a goroutine: its worker's generator (one thread-local read; select's poll order).
  detail::Worker* w = detail::this_worker();
  if (w != nullptr && w->current != nullptr) return w->rng.below(bound);
  thread_local detail::Rng outside(0xA0761D6478BD642Full ^ reinterpret_cast<std::uintptr_t>(&outside));
  return outside.below(bound);
}

}  // namespace sync
}  // namespace goro
