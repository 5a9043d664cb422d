// control_workload.hpp — the part of the planted programs that must stay silent under TSan and
// ASan+UBSan: everything a fiber runtime does that confuses a sanitizer it has not told about
// its stack switches.
//
//   - plain (non-atomic) data handed from goroutine to goroutine through channels, a Mutex and a
//     WaitGroup, on different workers (TSan must see the happens-before the runtime provides);
//   - goroutines that migrate between workers in the middle of their stack frames;
//   - exceptions thrown and caught inside goroutines, passed as exception_ptr over a channel and
//     rethrown on another worker, and one escaping a goroutine and rethrown by run();
//   - goroutines wound down while parked (their destructors run on a switched-in stack).
// run_control_workload() returns how many goroutines were seen on a different worker than the
// one they started on (to show that migration really happened).
#pragma once

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <unistd.h>
#include <vector>

#include <goro/goro.hpp>

namespace goro_planted {

struct Plain {
  long values[8] = {};  // deliberately not atomic: protected by the runtime's happens-before
};

inline unsigned run_control_workload_on(goro::Policy policy) {
  goro::Options options;
  options.workers = 2;
  options.policy = policy;
  goro::Runtime rt(options);
  std::atomic<unsigned> migrated{0};

  rt.run([&] {
    // Plain data through channels, ping-ponged between goroutines.
    auto to_worker = goro::make_chan<std::unique_ptr<Plain>>(2);
    auto back = goro::make_chan<std::unique_ptr<Plain>>();
    goro::WaitGroup wg;
    wg.add(4);
    for (int g = 0; g < 4; ++g) {
      goro::go([&, g] {
        // gettid(), not std::this_thread::get_id(): pthread_self() is declared __attribute__((const)),
        // so a compiler may reuse its value across the switch and never see a migration.
        const pid_t first = gettid();
        bool moved = false;
        for (int round = 0; round < 300; ++round) {
          if (g % 2 == 0) {
            auto p = std::make_unique<Plain>();
            for (long& v : p->values) v = round;
            to_worker.send(std::move(p));
            std::unique_ptr<Plain> q = *back.recv();
            for (long& v : q->values) v += 1;  // written by the other side, handed back
          } else {
            std::unique_ptr<Plain> p = *to_worker.recv();
            for (long& v : p->values) v *= 2;
            back.send(std::move(p));
          }
          goro::yield();
          moved = moved || gettid() != first;
        }
        if (moved) migrated.fetch_add(1);
        wg.done();
      });
    }
    wg.wait();

    // A Mutex-protected plain counter, hammered from both workers.
    goro::Mutex mutex;
    long counter = 0;
    wg.add(8);
    for (int g = 0; g < 8; ++g) {
      goro::go([&] {
        for (int i = 0; i < 500; ++i) {
          std::lock_guard lock(mutex);
          ++counter;
          if (i % 50 == 0) goro::yield();
        }
        wg.done();
      });
    }
    wg.wait();
    if (counter != 8 * 500) throw std::runtime_error("control workload: mutex counter wrong");

    // Exceptions inside goroutines, and exception_ptr carried to another goroutine.
    auto errors = goro::make_chan<std::exception_ptr>(8);
    wg.add(8);
    for (int g = 0; g < 8; ++g) {
      goro::go([&, g] {
        try {
          goro::yield();
          throw std::runtime_error("control error " + std::to_string(g));
        } catch (...) {
          errors.send(std::current_exception());
        }
        wg.done();
      });
    }
    wg.wait();
    for (int g = 0; g < 8; ++g) {
      try {
        std::rethrow_exception(*errors.recv());
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()).rfind("control error", 0) != 0) throw;
      }
      goro::yield();
    }
  });

  // One exception escaping a goroutine while others are parked: run() rethrows it after the
  // parked ones are wound down (their destructors run on their own stacks).
  try {
    rt.run([] {
      auto never = goro::make_chan<int>();
      for (int g = 0; g < 16; ++g) {
        goro::go([never]() mutable {
          std::vector<int> owned(100, 1);
          (void)never.recv();
        });
      }
      goro::go([] {
        goro::sleep_for(std::chrono::milliseconds(1));
        throw std::logic_error("escaped");
      });
      (void)never.recv();
    });
    throw std::runtime_error("control workload: run() did not rethrow the escaped exception");
  } catch (const std::logic_error&) {
  }
  return migrated.load();
}

// run_control_workload() runs the workload under every policy (fifo's single queue makes
// goroutines change workers most often) and returns the total number that migrated.
inline unsigned run_control_workload() {
  unsigned migrated = 0;
  for (goro::Policy policy : goro::all_policies()) migrated += run_control_workload_on(policy);
  return migrated;
}

}  // namespace goro_planted
