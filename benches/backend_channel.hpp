// backend_channel.hpp — the `goro/chan:<name>` backends: a channel of your own (a class template
// `template <class Sync, class T>` satisfying goro::ChannelAlgorithm, <goro/algorithm.hpp>)
// instantiated over goro::RuntimeSync and run inside goro's runtime on the go policy, through
// goro's channel workloads (workloads.hpp) — the same code that measures goro's channel. Installed
// as <goro/bench/backend_channel.hpp> with the goro::bench library:
//
//   #include <goro/bench/backend_channel.hpp>
//   #include "my_chan.hpp"
//   int main(int argc, char** argv) {
//     goro::bench::register_channel<my::Chan>("my_chan");   // {.unbuffered = false}: no capacity 0
//     return goro::bench::main(argc, argv);
//   }
//
// or, from CMake, goro_add_algorithm_bench(NAME my_chan HEADER my_chan.hpp TYPE my::Chan), which
// generates that file. The binary is a goro::bench binary: `scripts/suite bench --extra-binary
// PATH` runs its channel's benchmarks right after goro/go's run of the same workload, into the same
// record as goro's channel, Boost.Fiber and Go.
//
// What runs: the rows of the workload table that measure channels (registry.hpp, Channels):
// pingpong, producer–consumer at capacities 0, 1 and 128, mpmc, fan-out/fan-in, the worker pool,
// the sieve, and the select workloads. Only the channel differs from goro/go's run: goroutines,
// WaitGroup and Mutex are goro's. Reported "unsupported: ..." instead of measured: the select
// workloads (the channel contract has no select), and the workloads that need capacity 0 on a
// channel registered with {.unbuffered = false}.
#pragma once

#include <goro/algorithm.hpp>
#include <goro/bench.hpp>
#include <goro/errors.hpp>
#include <goro/sync/runtime_sync.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "backend_goro.hpp"
#include "registry.hpp"

namespace goro::bench {

// ChannelTraits says what a channel of your own offers beyond goro::ChannelAlgorithm.
struct ChannelTraits {
  bool unbuffered = true;  // capacity 0 is supported (a send completes only when a receiver takes it)
};

// add_backend() adds a backend that goro::bench::main() registers next to goro's policies
// (register_channel() calls it; goro_bench_entry.cpp).
void add_backend(benches::RegisterBackend register_backend);

}  // namespace goro::bench

namespace benches {

// ChannelHandle is the workloads' channel (what goro::Chan is to goro/<policy>): a shared handle
// to one UserChan<RuntimeSync, T>, copied into every task that uses the channel. send() on a
// closed channel throws, as goro::Chan's does; recv() is nullopt once closed and drained.
template <template <class, class> class UserChan, class T>
class ChannelHandle {
 public:
  using Channel = UserChan<goro::RuntimeSync, T>;

  explicit ChannelHandle(std::size_t capacity) : channel_(std::make_shared<Channel>(capacity)) {}

  void send(T value) {
    if (channel_->send(value) != goro::SendStatus::sent)
      throw goro::closed_channel_error("send on closed channel");
  }
  std::optional<T> recv() {
    T out{};
    if (channel_->recv(out) == goro::RecvStatus::received) return out;
    return std::nullopt;
  }
  void close() { channel_->close(); }

 private:
  std::shared_ptr<Channel> channel_;
};

// ChannelBackend is goro/go with UserChan as its channel; everything else (spawning, WaitGroup,
// Mutex, the Stats counters) is GoroBackend's.
template <template <class, class> class UserChan>
class ChannelBackend : public GoroBackend {
 public:
  static constexpr const char* kSelectUnsupported =
      "unsupported: the channel contract (goro::ChannelAlgorithm) has no select";

  template <class T>
  using Chan = ChannelHandle<UserChan, T>;

  explicit ChannelBackend(unsigned workers) : GoroBackend(workers, goro::Policy::go) {}

  template <class T>
  static Chan<T> make_chan(std::size_t capacity) {
    return Chan<T>(capacity);
  }
};

// channel_workloads() is the rows of the table that measure channels, each that needs capacity 0
// reported unsupported when the channel has none.
template <class B>
std::vector<Workload<B>> channel_workloads(const std::string& name, goro::bench::ChannelTraits traits) {
  std::vector<Workload<B>> rows;
  for (auto& row : workload_table<B>()) {
    if (row.channels == Channels::none) continue;
    if (row.channels == Channels::unbuffered && !traits.unbuffered) {
      row.body = [reason = "unsupported: " + name + " has no capacity 0 (buffered only)"](benchmark::State& state) {
        state.SkipWithError(reason.c_str());
      };
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace benches

namespace goro::bench {

// register_channel() adds `goro/chan:<name>` to the benchmarks goro::bench::main() runs: every
// channel workload at workers 1, 2 and nproc, named <workload>/goro/chan:<name>/workers:N. Call it
// before goro::bench::main(). A name other than letters, digits, '_' and '-' stops the program
// (exit 2). A UserChan that is not a goro::ChannelAlgorithm fails to compile with one message
// naming the missing requirement.
template <template <class, class> class UserChan>
void register_channel(const std::string& name, ChannelTraits traits = {}) {
  if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                          std::string::npos) {
    std::fprintf(stderr, "goro::bench::register_channel: bad channel name '%s' (letters, digits, '_' and '-' only)\n",
                 name.c_str());
    std::exit(2);
  }
  if constexpr (goro::check_channel_algorithm<UserChan, goro::RuntimeSync, std::uint64_t>()) {
    using Backend = benches::ChannelBackend<UserChan>;
    add_backend([name, traits](const benches::WorkerCounts& worker_counts, const benches::Filter& filter,
                               std::vector<std::string>& names) {
      benches::register_workloads<Backend>(benches::channel_workloads<Backend>(name, traits), "goro/chan:" + name,
                                           worker_counts, filter, names);
    });
  }
}

}  // namespace goro::bench
