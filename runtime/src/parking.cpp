// parking.cpp — switching a goroutine out and back: yield, and the Scheduler as the Host of the
// park protocol (goro/algo/park.hpp: the goroutine state machine, the commit after the switch,
// ready, the wind-down claim), with the run queues and the worker's switch as its OS parts.
#include <cassert>

#include "context.hpp"
#include "scheduler.hpp"

namespace goro::detail {

// The thread-local worker lives here, beside its hottest reader (enqueue(), on every ready()).
namespace {

// initial-exec: a direct %fs-relative access instead of a __tls_get_addr call on every switch
// (libgoro is linked into executables or loaded at start-up, never dlopen()ed late).
[[gnu::tls_model("initial-exec")]] thread_local Worker* tls_worker = nullptr;

}  // namespace

Worker* this_worker() noexcept {
  Worker* w = tls_worker;
  asm volatile("" ::: "memory");
  return w;
}

void set_this_worker(Worker* w) noexcept { tls_worker = w; }

void Scheduler::yield(G* g) {
  Worker* w = g->worker;
  WorkerCounters::bump(w->counters.yields);
  w->action = SwitchAction::yield;
  leave(*g, false);
}

void Scheduler::park(G* g, WaitContext& ctx, void (*unlock)(void*), void* arg) { parking_.park(g, ctx, unlock, arg); }

void Scheduler::switch_out(G* g, WaitContext& ctx, void (*unlock)(void*), void* arg) {
  Worker* w = g->worker;
  w->action = SwitchAction::park;
  w->park_ctx = &ctx;
  w->park_unlock = unlock;
  w->park_unlock_arg = arg;
  leave(*g, false);
}

void Scheduler::commit_park(Worker& w, G* g) {
  WorkerCounters::bump(w.counters.goroutine_parks);
  parking_.commit(g, *w.park_ctx, w.park_unlock, w.park_unlock_arg);
}

void Scheduler::ready(G* g) noexcept { parking_.ready(g); }

void Scheduler::enqueue(G* g) noexcept {
  Worker* w = this_worker();
  const bool ours = w != nullptr && w->scheduler == this;
  if (tracer_) tracer_->readied(ours ? w : nullptr, *g, winding_down());  // before the push: g may run at once
  if (wake_latency_) wake_latency_->readied(*g);
  policy_->push(ours ? w->index : kNoWorker, g, SchedulerPolicy::Reason::woken);
  notify(ours, ours && options_.workers > 1 && policy_->runs_next(w->index));
}

void Scheduler::begin_wind_down() { parking_.begin_wind_down(); }

void Scheduler::run_goroutine(Worker& w, G* g) {
  w.current = g;
  g->worker = &w;
  parking_.started(g);
  WorkerCounters::bump(w.counters.context_switches);
  w.action = SwitchAction::none;
  if (tracer_) tracer_->run_begin(w.index);
  if (wake_latency_) wake_latency_->running(w.index, *g);
  enter(w, *g);
  w.current = nullptr;
  if (tracer_) tracer_->run_end(w, *g);
  switch (w.action) {
    case SwitchAction::yield:
      parking_.yielded(g);
      policy_->push(w.index, g, SchedulerPolicy::Reason::yielded);
      break;
    case SwitchAction::park:
      commit_park(w, g);
      break;
    case SwitchAction::exit:
      goroutine_exited(w, g);
      break;
    case SwitchAction::none:
      assert(false && "a goroutine switched out without saying why");
      break;
  }
}

}  // namespace goro::detail
