// trace.cpp — the execution tracer's mechanics (trace.hpp): the rings, the flusher thread, the
// Chrome trace-event JSON writer.
#include "trace.hpp"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "scheduler.hpp"

namespace goro::detail {

// ---------------------------------------------------------------- TraceRing

TraceRing::TraceRing(std::chrono::steady_clock::time_point origin)
    : origin_(origin), slots_(std::make_unique<TraceEvent[]>(kRingEvents)) {}

std::uint64_t TraceRing::drain(std::vector<TraceEvent>& out, std::size_t room) {
  const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
  const std::uint64_t head = head_.load(std::memory_order_acquire);
  std::uint64_t discarded = 0;
  for (std::uint64_t i = tail; i != head; ++i) {
    if (room == 0) {
      discarded = head - i;
      break;
    }
    out.push_back(slots_[i & (kRingEvents - 1)]);
    --room;
  }
  tail_.store(head, std::memory_order_release);
  return discarded;
}

void record_steal(TraceRing& ring, unsigned victim) noexcept {
  TraceEvent event;
  event.kind = TraceKind::steal;
  event.start_ns = ring.now_ns();
  event.other = victim;
  ring.push(event);
}

// ---------------------------------------------------------------- Tracer: the hooks

Tracer::Tracer(std::string path, unsigned workers, std::string policy)
    : path_(std::move(path)), policy_(std::move(policy)), origin_(std::chrono::steady_clock::now()) {
  for (unsigned i = 0; i < workers; ++i) rings_.push_back(std::make_unique<TraceRing>(origin_));
  kept_.resize(workers);
  flusher_ = std::thread([this] { flusher_main(); });
}

Tracer::~Tracer() {
  {
    std::lock_guard lock(flusher_mutex_);
    stop_ = true;
  }
  flusher_wake_.notify_one();
  flusher_.join();
  drain_all();
  write_file();
}

void Tracer::push(const Worker* w, const TraceEvent& event) noexcept {
  if (w != nullptr) {
    rings_[w->index]->push(event);
    return;
  }
  std::lock_guard lock(outside_mutex_);
  if (outside_.size() < kMaxEvents / 16) outside_.push_back(event);
}

void Tracer::run_begin(unsigned worker) noexcept {
  TraceRing& ring = *rings_[worker];
  ring.run_start_ns = now_ns();
  ring.idle = false;
}

void Tracer::run_end(const Worker& w, const G& g) noexcept {
  TraceRing& ring = *rings_[w.index];
  TraceEvent event;
  event.kind = TraceKind::run;
  event.start_ns = ring.run_start_ns;
  const std::uint64_t end = now_ns();
  event.duration_ns = end - ring.run_start_ns;
  event.goroutine = g.id;
  switch (w.action) {
    case SwitchAction::yield: event.detail = static_cast<std::uint8_t>(RunEnd::yield); break;
    case SwitchAction::park:
      event.detail = static_cast<std::uint8_t>(RunEnd::park);
      if (w.park_ctx != nullptr) event.reason = w.park_ctx->reason;  // still on g's stack: not yet committed
      break;
    case SwitchAction::exit:
    case SwitchAction::none: event.detail = static_cast<std::uint8_t>(RunEnd::exit); break;
  }
  ring.idle = false;
  ring.push(event);
}

void Tracer::spun(unsigned worker, bool found) noexcept {
  TraceRing& ring = *rings_[worker];
  TraceEvent event;
  event.kind = TraceKind::spin;
  const std::uint64_t end = now_ns();
  const std::uint64_t start = ring.idle ? ring.idle_since_ns : end;
  event.start_ns = start;
  event.duration_ns = end - start;
  event.detail = found ? 1 : 0;
  ring.idle = false;
  ring.push(event);
}

void Tracer::slept(unsigned worker, std::uint64_t start_ns, bool timed) noexcept {
  TraceRing& ring = *rings_[worker];
  TraceEvent event;
  event.kind = TraceKind::sleep;
  const std::uint64_t end = now_ns();
  event.start_ns = start_ns;
  event.duration_ns = end - start_ns;
  event.detail = timed ? 1 : 0;
  ring.idle = false;
  ring.push(event);
}

void Tracer::spawned(const Worker* spawner, const G& child) noexcept {
  TraceEvent event;
  event.kind = TraceKind::spawn;
  event.start_ns = now_ns();
  event.goroutine = child.id;
  event.other = spawner != nullptr && spawner->current != nullptr ? spawner->current->id : 0;
  push(spawner, event);
}

void Tracer::readied(const Worker* by, const G& g, bool winding_down) noexcept {
  TraceEvent event;
  event.kind = TraceKind::ready;
  event.start_ns = now_ns();
  event.goroutine = g.id;
  ReadyBy who = ReadyBy::outside;
  if (winding_down) {
    who = ReadyBy::wind_down;
  } else if (by != nullptr && by->current != nullptr) {
    who = ReadyBy::goroutine;
    event.other = by->current->id;
  } else if (by != nullptr) {
    who = ReadyBy::worker;
  }
  event.detail = static_cast<std::uint8_t>(who);
  push(by, event);
}

void Tracer::woke(const Worker* by, unsigned target) noexcept {
  TraceEvent event;
  event.kind = TraceKind::wake;
  event.start_ns = now_ns();
  event.other = target;
  push(by, event);
}

void Tracer::timers_fired(unsigned worker, std::uint64_t fired) noexcept {
  TraceEvent event;
  event.kind = TraceKind::timers;
  event.start_ns = now_ns();
  event.other = fired;
  rings_[worker]->push(event);
}

SleepSpan::SleepSpan(Tracer* tracer, const Worker* w, bool timed) noexcept : tracer_(tracer) {
  if (tracer_ == nullptr || w == nullptr) return;
  worker_ = w->index;
  start_ns_ = tracer_->now_ns();
  timed_ = timed;
}

SleepSpan::~SleepSpan() {
  if (tracer_ != nullptr) tracer_->slept(worker_, start_ns_, timed_);
}

TimersSpan::TimersSpan(Tracer* tracer, const Worker* w) noexcept : tracer_(tracer), worker_(w) {
  if (tracer_ != nullptr) fired_before_ = w->counters.timers_fired.load(std::memory_order_relaxed);
}

TimersSpan::~TimersSpan() {
  if (tracer_ == nullptr) return;
  const std::uint64_t fired = worker_->counters.timers_fired.load(std::memory_order_relaxed) - fired_before_;
  if (fired > 0) tracer_->timers_fired(worker_->index, fired);
}

// ---------------------------------------------------------------- the Scheduler's tracing parts

void Scheduler::start_trace() {
  tracer_ = std::make_unique<Tracer>(options_.trace, options_.workers, std::string(to_string(options_.policy)));
  for (auto& w : workers_) w->policy_counters.trace = &tracer_->ring(w->index);
}

void Scheduler::trace_wake(const IdleSlot& slot) {
  if (idle_.shutting_down()) return;  // the Runtime is ending: not a wake for work (nor in Stats)
  Worker* self = this_worker();
  const bool ours = self != nullptr && self->scheduler == this;
  for (const auto& w : workers_) {
    if (&w->idle == &slot) tracer_->woke(ours ? self : nullptr, w->index);
  }
}

// ---------------------------------------------------------------- the flusher and the file

void Tracer::flusher_main() {
  std::unique_lock lock(flusher_mutex_);
  while (!stop_) {
    flusher_wake_.wait_for(lock, kFlushInterval, [this] { return stop_; });
    lock.unlock();
    drain_all();
    lock.lock();
  }
}

void Tracer::drain_all() {
  for (std::size_t i = 0; i < rings_.size(); ++i) {
    const std::size_t before = kept_[i].size();
    capped_ += rings_[i]->drain(kept_[i], kMaxEvents - kept_total_);
    kept_total_ += kept_[i].size() - before;
  }
}

namespace {

const char* run_end_name(std::uint8_t end) {
  switch (static_cast<RunEnd>(end)) {
    case RunEnd::yield: return "yield";
    case RunEnd::park: return "park";
    case RunEnd::exit: return "exit";
  }
  return "exit";
}

const char* ready_by_name(std::uint8_t by) {
  switch (static_cast<ReadyBy>(by)) {
    case ReadyBy::goroutine: return "goroutine";
    case ReadyBy::worker: return "worker";
    case ReadyBy::outside: return "outside";
    case ReadyBy::wind_down: return "wind-down";
  }
  return "outside";
}

// us() prints nanoseconds as the format's microseconds, to the nanosecond.
void print_us(std::FILE* out, std::uint64_t ns) {
  std::fprintf(out, "%" PRIu64 ".%03u", ns / 1000, static_cast<unsigned>(ns % 1000));
}

}  // namespace

void Tracer::write_file() const {
  std::FILE* out = std::fopen(path_.c_str(), "w");
  if (out == nullptr) {
    std::fprintf(stderr, "goro: cannot write the trace to '%s': %s\n", path_.c_str(), std::strerror(errno));
    return;
  }
  const auto outside_tid = static_cast<unsigned>(rings_.size());
  std::uint64_t dropped = capped_;
  for (const auto& ring : rings_) dropped += ring->dropped();

  std::fprintf(out, "{\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"policy\":\"%s\",\"workers\":%zu,\"dropped\":%" PRIu64 "},\n",
               policy_.c_str(), rings_.size(), dropped);
  std::fprintf(out, "\"traceEvents\":[\n");
  std::fprintf(out, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"goro %s, %zu workers\"}}",
               policy_.c_str(), rings_.size());
  for (unsigned t = 0; t <= outside_tid; ++t) {
    std::fprintf(out, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%u,\"args\":{\"name\":", t);
    if (t < outside_tid) {
      std::fprintf(out, "\"worker %u\"}}", t);
    } else {
      std::fprintf(out, "\"outside\"}}");
    }
    std::fprintf(out, ",\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":1,\"tid\":%u,\"args\":{\"sort_index\":%u}}", t, t);
  }

  auto write = [&](unsigned tid, const TraceEvent& e) {
    std::fprintf(out, ",\n{\"pid\":1,\"tid\":%u,\"ts\":", tid);
    print_us(out, e.start_ns);
    switch (e.kind) {
      case TraceKind::run:
        std::fprintf(out, ",\"ph\":\"X\",\"dur\":");
        print_us(out, e.duration_ns);
        std::fprintf(out, ",\"name\":\"G%" PRIu64 "\",\"cat\":\"run\",\"args\":{\"g\":%" PRIu64 ",\"end\":\"%s\"", e.goroutine,
                     e.goroutine, run_end_name(e.detail));
        if (static_cast<RunEnd>(e.detail) == RunEnd::park) std::fprintf(out, ",\"reason\":\"%s\"", algo::to_string(e.reason));
        std::fprintf(out, "}}");
        break;
      case TraceKind::spin:
        std::fprintf(out, ",\"ph\":\"X\",\"dur\":");
        print_us(out, e.duration_ns);
        std::fprintf(out, ",\"name\":\"spin\",\"cat\":\"idle\",\"args\":{\"found\":%s}}", e.detail != 0 ? "true" : "false");
        break;
      case TraceKind::sleep:
        std::fprintf(out, ",\"ph\":\"X\",\"dur\":");
        print_us(out, e.duration_ns);
        std::fprintf(out, ",\"name\":\"sleep\",\"cat\":\"idle\",\"args\":{\"timed\":%s}}", e.detail != 0 ? "true" : "false");
        break;
      case TraceKind::spawn:
        std::fprintf(out, ",\"ph\":\"i\",\"s\":\"t\",\"name\":\"spawn\",\"cat\":\"spawn\",\"args\":{\"g\":%" PRIu64
                          ",\"parent\":%" PRIu64 "}}",
                     e.goroutine, e.other);
        break;
      case TraceKind::ready:
        std::fprintf(out, ",\"ph\":\"i\",\"s\":\"t\",\"name\":\"ready\",\"cat\":\"ready\",\"args\":{\"g\":%" PRIu64 ",\"by\":",
                     e.goroutine);
        if (static_cast<ReadyBy>(e.detail) == ReadyBy::goroutine) {
          std::fprintf(out, "%" PRIu64 "}}", e.other);
        } else {
          std::fprintf(out, "\"%s\"}}", ready_by_name(e.detail));
        }
        break;
      case TraceKind::wake:
        std::fprintf(out, ",\"ph\":\"i\",\"s\":\"t\",\"name\":\"wake\",\"cat\":\"wake\",\"args\":{\"target\":%" PRIu64 "}}", e.other);
        break;
      case TraceKind::steal:
        std::fprintf(out, ",\"ph\":\"i\",\"s\":\"t\",\"name\":\"steal\",\"cat\":\"steal\",\"args\":{\"victim\":%" PRIu64 "}}", e.other);
        break;
      case TraceKind::timers:
        std::fprintf(out, ",\"ph\":\"i\",\"s\":\"t\",\"name\":\"timers\",\"cat\":\"timers\",\"args\":{\"fired\":%" PRIu64 "}}",
                     e.other);
        break;
    }
  };
  for (unsigned i = 0; i < kept_.size(); ++i) {
    for (const TraceEvent& e : kept_[i]) write(i, e);
  }
  for (const TraceEvent& e : outside_) write(outside_tid, e);
  std::fprintf(out, "\n]}\n");
  if (std::fclose(out) != 0) std::fprintf(stderr, "goro: writing the trace to '%s' failed: %s\n", path_.c_str(), std::strerror(errno));
}

}  // namespace goro::detail
