// goro_live — the cost of live goroutines as a whole process: start N goroutines that each
// signal a wait group and then block receiving from one channel, read the resident set while
// all N are parked, close the channel and join. benches/live_goroutines.py runs it beside its Go
// twin (benches/go/live) and reads the process's wall, user and system time, peak RSS and page
// faults; this program prints one JSON line with what only it can see (the parked RSS).
//
//   goro_live --goroutines 1000000 --workers 2 [--policy go]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "goro/goro.hpp"

namespace {

// resident_bytes() is the current resident set, from /proc/self/statm (its second field, pages).
long long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * 4096;
}

// Phase marks the process's CPU time at one point, so the line can split it by phase.
struct Phase {
  double wall = 0, user = 0, sys = 0;
  static Phase now(std::chrono::steady_clock::time_point start) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), seconds(usage.ru_utime),
            seconds(usage.ru_stime)};
  }
};

// print_phase() prints "name": {wall, user, sys} of the interval from `from` to `to`.
void print_phase(const char* name, const Phase& from, const Phase& to) {
  std::printf("\"%s\": {\"wall\": %.4f, \"user\": %.4f, \"sys\": %.4f}", name, to.wall - from.wall, to.user - from.user,
              to.sys - from.sys);
}

int usage(const char* message) {
  if (message != nullptr) std::fprintf(stderr, "goro_live: %s\n", message);
  std::fprintf(message != nullptr ? stderr : stdout,
               "usage: goro_live [--goroutines N] [--workers N] [--policy NAME]\n"
               "  start N goroutines (default 1000000) that all block on one channel, release them,\n"
               "  join them; print one JSON line (seconds, parked RSS per goroutine).\n"
               "  Exit: 0 ok, 2 usage, 70 internal error.\n");
  return message != nullptr ? 2 : 0;
}

bool parse_count(const char* text, long& out) {
  char* end = nullptr;
  out = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && out > 0;
}

}  // namespace

int main(int argc, char** argv) {
  long goroutines = 1'000'000;
  long workers = 2;
  std::string policy = "go";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return usage(nullptr);
    if (i + 1 >= argc) return usage("an option is missing its value");
    const char* value = argv[++i];
    if (arg == "--goroutines") {
      if (!parse_count(value, goroutines)) return usage("--goroutines takes a positive integer");
    } else if (arg == "--workers") {
      if (!parse_count(value, workers)) return usage("--workers takes a positive integer");
    } else if (arg == "--policy") {
      policy = value;
    } else {
      return usage("unknown option");
    }
  }
  try {
    goro::Options options;
    options.workers = static_cast<unsigned>(workers);
    options.policy = goro::parse_policy(policy);
    const auto start = std::chrono::steady_clock::now();
    const Phase begin = Phase::now(start);
    Phase spawned, released, ended;
    auto runtime = std::make_unique<goro::Runtime>(options);
    long long before = 0, parked = 0;
    runtime->run([&] {
      auto gate = goro::make_chan<int>();
      goro::WaitGroup started, finished;
      started.add(goroutines);
      finished.add(goroutines);
      before = resident_bytes();
      for (long i = 0; i < goroutines; ++i) {
        goro::go([gate, &started, &finished] {
          started.done();
          (void)gate.recv();
          finished.done();
        });
      }
      started.wait();
      parked = resident_bytes();
      spawned = Phase::now(start);
      gate.close();
      finished.wait();
      released = Phase::now(start);
    });
    runtime.reset();
    ended = Phase::now(start);
    // Phases: spawn (start to all parked), release (close to all joined), teardown (the rest,
    // the Runtime's destruction included).
    std::printf("{\"backend\": \"goro/%s\", \"goroutines\": %ld, \"workers\": %ld, \"seconds\": %.4f, "
                "\"parked_rss_bytes_per_goroutine\": %.1f, ",
                policy.c_str(), goroutines, workers, ended.wall, double(parked - before) / double(goroutines));
    print_phase("spawn", begin, spawned);
    std::printf(", ");
    print_phase("release", spawned, released);
    std::printf(", ");
    print_phase("teardown", released, ended);
    std::printf("}\n");
    return 0;
  } catch (const std::invalid_argument& error) {
    return usage(error.what());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "goro_live: internal error: %s\n", error.what());
    return 70;
  }
}
