// channel_stress.hpp — a time-boxed stress program for a channel written to the algorithm contract
// (goro::ChannelAlgorithm, <goro/algorithm.hpp>), run inside goro's runtime: the verification
// kit's `<name>_stress` (linked with goro::chaos: seeded yields and spins widen the windows at
// every synchronisation point) and `<name>_stress_tsan` (linked with goro::tsan: the same program
// under ThreadSanitizer) are this header's stress_main().
//
//   goro::verify::StressOptions options;  // seconds, capacities, stall limit
//   goro::verify::StressResult r;
//   goro::verify::stress_channel<my::Chan<goro::RuntimeSync, int>>(options, r);  // r.verdict: "ok", ...
//
// One round: a fresh channel of one of the capacities, on one policy × {1, 2} workers (rounds
// cycle through goro::all_policies()); 3 producers send 200 values each, unique per round, by
// blocking send and by try_send retried after a yield; 3 consumers receive by blocking recv and
// by try_recv; in every other round the channel is closed while the producers still send (a
// producer stops at its first `closed`), otherwise after they finish. Checked after each round:
//   conservation   every value a producer saw `sent` is received exactly once, no value that
//                  was not sent is received (verdict `lost` or `duplicated`);
//   order          per producer, each consumer receives its values in the order they were sent
//                  (verdict `reordered`);
//   progress       a round in which every goroutine blocked for good ends in goro's deadlock
//                  error, and a watchdog ends a round that completed no operation for
//                  `stall_seconds` (verdict `hang`: a lost wake-up or a livelock).
// Under TSan, the first race report ends the run with the verdict `data_race` (halt_on_error).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "goro/goro.hpp"
#include "goro/verify/json.hpp"

// Declared weak: present when the program is linked with a sanitizer runtime (goro::tsan), null
// otherwise, so the same header builds the chaos program and the TSan one.
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)());

namespace goro::verify {

struct StressOptions {
  double seconds = 2.0;                     // the time box (rounds start until it is over)
  std::vector<std::size_t> capacities{1};   // cycled through, one per round
  double stall_seconds = 10.0;              // no operation completed for this long: a hang
  unsigned producers = 3, consumers = 3;
  int values_per_producer = 200;
};

struct StressResult {
  std::string verdict = "ok";  // ok, lost, duplicated, reordered, hang, data_race
  std::string detail;          // what went wrong, in words, and in which round
  std::uint64_t rounds = 0;
  std::uint64_t operations = 0;  // completed sends and receives
  double seconds = 0;
};

namespace stress_detail {

// Progress is the watchdog's view: the operations completed so far, bumped by every goroutine.
inline std::atomic<std::uint64_t> operations{0};

template <class C>
std::string run_round(Runtime& runtime, std::size_t capacity, bool close_early, const StressOptions& o) {
  const int per = o.values_per_producer;
  const int total = static_cast<int>(o.producers) * per;
  std::vector<std::atomic<int>> received(static_cast<std::size_t>(total));
  std::vector<char> sent(static_cast<std::size_t>(total), 0);  // written by each value's producer only
  std::string problem;
  std::mutex problem_guard;
  auto report = [&](const char* verdict, const std::string& what) {
    std::lock_guard lock(problem_guard);
    if (problem.empty()) problem = std::string(verdict) + ": " + what;
  };
  // Everything the goroutines touch outlives run(): after a deadlock the runtime winds the
  // program down, and a goroutine whose park() returned cancelled may still run to its end.
  C ch(capacity);
  WaitGroup producers_done, consumers_done;
  runtime.run([&] {
    for (unsigned p = 0; p < o.producers; ++p) {
      producers_done.add(1);
      go([&, p] {
        for (int i = 0; i < per; ++i) {
          int v = static_cast<int>(p) * per + i;
          const int value = v;
          SendStatus status;
          if (i % 3 == 2) {  // every third value by try_send, retried while full
            while ((status = ch.try_send(v)) == SendStatus::full) yield();
          } else {
            status = ch.send(v);
          }
          if (status == SendStatus::closed) break;
          if (status != SendStatus::sent) {
            report("wrong_result", "a blocking send returned `full`");
            break;
          }
          sent[static_cast<std::size_t>(value)] = 1;
          operations.fetch_add(1, std::memory_order_relaxed);
          if (close_early && p == 0 && i == per / 2) ch.close();
        }
        producers_done.done();
      });
    }
    for (unsigned c = 0; c < o.consumers; ++c) {
      consumers_done.add(1);
      go([&, c] {
        std::vector<int> last(o.producers, -1);
        for (int n = 0;; ++n) {
          int v = -1;
          RecvStatus status;
          if ((n + static_cast<int>(c)) % 4 == 3) {
            status = ch.try_recv(v);
            if (status == RecvStatus::empty) {
              yield();
              continue;
            }
          } else {
            status = ch.recv(v);
            if (status == RecvStatus::empty) report("wrong_result", "a blocking recv returned `empty`");
          }
          if (status == RecvStatus::closed) break;
          if (status != RecvStatus::received) continue;
          operations.fetch_add(1, std::memory_order_relaxed);
          if (v < 0 || v >= total) {
            report("wrong_result", "received " + std::to_string(v) + ", a value never sent");
            continue;
          }
          received[static_cast<std::size_t>(v)].fetch_add(1, std::memory_order_relaxed);
          const int producer = v / per;
          if (v <= last[static_cast<std::size_t>(producer)])
            report("reordered", "a consumer received " + std::to_string(v) + " after " + std::to_string(last[static_cast<std::size_t>(producer)]) +
                   ", both from producer " + std::to_string(producer));
          last[static_cast<std::size_t>(producer)] = v;
        }
        consumers_done.done();
      });
    }
    producers_done.wait();
    if (!close_early) ch.close();
    consumers_done.wait();
  });
  if (!problem.empty()) return problem;
  for (int v = 0; v < total; ++v) {
    const int times = received[static_cast<std::size_t>(v)].load();
    if (sent[static_cast<std::size_t>(v)] && times == 0) return "lost: value " + std::to_string(v) + " was sent but never received";
    if (times > 1) return "duplicated: value " + std::to_string(v) + " was received " + std::to_string(times) + " times";
    if (!sent[static_cast<std::size_t>(v)] && times == 1)
      return "duplicated: value " + std::to_string(v) + " was received although its send reported `closed`";
  }
  return {};
}

// The JSON record's destination and what it must say if the process is ended from outside the
// round loop (the watchdog, or ThreadSanitizer's first report).
struct Report {
  std::string path, name, flavour, expect;
  StressResult result;
  std::chrono::steady_clock::time_point started;
};
inline Report* active_report = nullptr;

// finish() writes the record (when --json was given) and returns the exit status: 0 when the run
// was clean (no --expect) or failed as expected, else 1.
inline int finish(Report& r) {
  r.result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.started).count();
  const bool failed = r.result.verdict != "ok";
  const bool ok = r.expect.empty() ? !failed : r.result.verdict == r.expect;
  const std::string what = "producers and consumers with close, conservation and per-producer order (" + r.flavour + ")";
  const std::string result = failed ? r.result.verdict + ": " + r.result.detail : "ok";
  std::fprintf(stderr, "%s_stress (%s): %s after %llu rounds, %llu operations, %.1f s%s\n", r.name.c_str(), r.flavour.c_str(),
               result.c_str(), static_cast<unsigned long long>(r.result.rounds),
               static_cast<unsigned long long>(r.result.operations), r.result.seconds,
               r.expect.empty() ? "" : ok ? " (as expected)" : (" (expected " + r.expect + ")").c_str());
  if (!r.path.empty()) {
    if (std::FILE* f = std::fopen(r.path.c_str(), "w")) {
      std::fprintf(f,
                   "{\"kind\": \"stress-runs\", \"algorithm\": %s, \"flavour\": %s, \"complete\": true, \"exit_status\": %d, "
                   "\"runs\": [{\"scenario\": \"stress/%s\", \"what\": %s, \"variant\": %s, \"failed\": %s, \"kind\": %s, "
                   "\"expected\": %s, \"result\": %s, \"iterations\": %llu, \"operations\": %llu, \"seconds\": %.2f, "
                   "\"ok\": %s}]}\n",
                   json_string(r.name).c_str(), json_string(r.flavour).c_str(), ok ? 0 : 1, r.flavour.c_str(),
                   json_string(what).c_str(), json_string(r.expect.empty() ? "" : "planted").c_str(), failed ? "true" : "false",
                   json_string(failed ? r.result.verdict : "none").c_str(), json_string(r.expect.empty() ? "none" : r.expect).c_str(),
                   json_string(result).c_str(), static_cast<unsigned long long>(r.result.rounds),
                   static_cast<unsigned long long>(r.result.operations), r.result.seconds, ok ? "true" : "false");
      std::fclose(f);
    }
  }
  return ok ? 0 : 1;
}

inline void on_sanitizer_death() {
  if (active_report == nullptr) return;
  active_report->result.verdict = "data_race";
  active_report->result.detail = "ThreadSanitizer reported a race (its report is above) in round " +
                                 std::to_string(active_report->result.rounds + 1);
  active_report->result.operations = operations.load();
  active_report->result.rounds += 1;  // the round in progress, as a failed round is counted
  std::fflush(stderr);
  _exit(finish(*active_report));
}

}  // namespace stress_detail

// stress_channel() runs rounds of C until options.seconds are over or a round fails.
template <class C>
void stress_channel(const StressOptions& o, StressResult& result) {
  const std::vector<Policy> policies = all_policies();
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::duration<double>(o.seconds);
  // The watchdog: a round that completes no operation for stall_seconds is a hang.
  std::mutex guard;
  std::condition_variable stop;
  bool done = false;
  std::thread watchdog([&] {
    std::uint64_t seen = stress_detail::operations.load();
    auto last_progress = std::chrono::steady_clock::now();
    std::unique_lock lock(guard);
    while (!stop.wait_for(lock, std::chrono::milliseconds(200), [&] { return done; })) {
      const std::uint64_t now_ops = stress_detail::operations.load();
      if (now_ops != seen) {
        seen = now_ops;
        last_progress = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last_progress > std::chrono::duration<double>(o.stall_seconds)) {
        if (stress_detail::active_report != nullptr) {
          result.verdict = "hang";
          result.detail = "no operation completed for " + std::to_string(static_cast<int>(o.stall_seconds)) +
                          " s in round " + std::to_string(result.rounds + 1) + " (a lost wake-up or a livelock)";
          result.operations = now_ops;
          stress_detail::active_report->result = result;
          _exit(stress_detail::finish(*stress_detail::active_report));
        }
      }
    }
  });
  while (result.verdict == "ok" && std::chrono::steady_clock::now() < deadline) {
    const std::uint64_t round = result.rounds;
    const Policy policy = policies[(round / 2) % policies.size()];
    Options options;
    options.policy = policy;
    options.workers = round % 2 == 0 ? 2 : 1;
    const std::size_t capacity = o.capacities[(round / (2 * policies.size())) % o.capacities.size()];
    const bool close_early = (round / 4) % 2 == 1;
    std::string problem;
    try {
      Runtime runtime(options);
      problem = stress_detail::run_round<C>(runtime, capacity, close_early, o);
    } catch (const deadlock_error& e) {
      problem = std::string("hang: every goroutine blocked for good (") + e.what() + ")";
    }
    ++result.rounds;
    result.operations = stress_detail::operations.load();
    if (!problem.empty()) {
      const auto colon = problem.find(':');
      result.verdict = problem.substr(0, colon);
      result.detail = problem.substr(colon + 2) + " (round " + std::to_string(round + 1) + ": " +
                      std::string(goro::to_string(policy)) + ", " + std::to_string(options.workers) + " worker" +
                      (options.workers == 1 ? "" : "s") + ", capacity " + std::to_string(capacity) +
                      (close_early ? ", closed while sending" : ", closed after the sends") + ")";
    }
  }
  {
    std::lock_guard lock(guard);
    done = true;
  }
  stop.notify_all();
  watchdog.join();
}

// stress_main() is the kit's stress program: `--seconds S`, `--json FILE`, `--expect VERDICT`
// (a planted bug: exit 0 only if the run fails with that verdict), `--stall-seconds S`, `--help`.
template <class C>
int stress_main(const char* name, const char* flavour, std::vector<std::size_t> capacities, int argc, char** argv) {
  stress_detail::Report report;
  report.name = name;
  report.flavour = flavour;
  StressOptions options;
  options.capacities = std::move(capacities);
  auto usage = [&](const char* problem) {
    if (problem) std::fprintf(stderr, "%s_stress: %s\n", name, problem);
    std::fprintf(problem ? stderr : stdout,
                 "usage: %s [--seconds S] [--stall-seconds S] [--json FILE] [--expect VERDICT]\n"
                 "  stress %s (goro_add_algorithm_checks) inside goro's runtime on the %s build: producers and\n"
                 "  consumers with close, every policy at 1 and 2 workers; verdicts ok, lost, duplicated,\n"
                 "  reordered, wrong_result, hang, data_race. --expect: exit 0 only if the run fails as VERDICT.\n",
                 argv[0], name, flavour);
    return problem ? 2 : 0;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") return usage(nullptr);
    if ((arg == "--seconds" || arg == "--stall-seconds") && has_value) {
      char* end = nullptr;
      const double value = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(value > 0)) return usage(("bad " + arg + " value (a positive number)").c_str());
      (arg == "--seconds" ? options.seconds : options.stall_seconds) = value;
    } else if (arg == "--json" && has_value) {
      report.path = argv[++i];
    } else if (arg == "--expect" && has_value) {
      report.expect = argv[++i];
      const std::string verdicts[] = {"lost", "duplicated", "reordered", "wrong_result", "hang", "data_race"};
      if (std::find(std::begin(verdicts), std::end(verdicts), report.expect) == std::end(verdicts))
        return usage("--expect takes lost, duplicated, reordered, wrong_result, hang or data_race");
    } else {
      return usage(("unknown or incomplete option: " + arg).c_str());
    }
  }
  report.started = std::chrono::steady_clock::now();
  stress_detail::active_report = &report;
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(&stress_detail::on_sanitizer_death);
  stress_channel<C>(options, report.result);
  return stress_detail::finish(report);
}

}  // namespace goro::verify
