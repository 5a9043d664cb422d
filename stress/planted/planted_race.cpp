// planted_race.cpp — a data race between two goroutines on different workers, for TSan.
//
//   goro-planted-race --plant   # TSan must report "data race" (test: stress.planted.race)
//   goro-planted-race           # the same program, race removed: TSan must stay silent
//
// Two goroutines on a 2-worker runtime each check in and spin (without yielding) until both
// have: under cooperative scheduling that can only finish if they run on different workers at
// the same time. Then each increments `shared` 1000 times — with --plant unsynchronised (the
// race), without it under a goro::Mutex. The program prints where the goroutines ran and exits
// with status 4 if they did not run on different workers (the test would prove nothing).
// Without --plant it also runs the control workload (control_workload.hpp).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <thread>

#include "control_workload.hpp"

int main(int argc, char** argv) {
  const bool plant = argc > 1 && std::string_view(argv[1]) == "--plant";
  goro::Options options;
  options.workers = 2;
  options.policy = goro::Policy::steal;
  goro::Runtime rt(options);
  std::atomic<int> checked_in{0};
  std::atomic<bool> gave_up{false};
  std::thread::id where[2];
  long shared = 0;
  goro::Mutex mutex;

  rt.run([&] {
    goro::WaitGroup wg;
    wg.add(2);
    for (int i = 0; i < 2; ++i) {
      goro::go([&, i] {
        where[i] = std::this_thread::get_id();
        checked_in.fetch_add(1);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (checked_in.load() < 2) {
          if (std::chrono::steady_clock::now() > give_up) {
            gave_up = true;
            break;
          }
        }
        for (int k = 0; k < 1000; ++k) {
          if (plant) {
            shared = shared + 1;  // THE PLANTED RACE: no synchronisation with the other goroutine
          } else {
            std::lock_guard lock(mutex);
            shared = shared + 1;
          }
        }
        wg.done();
      });
    }
    wg.wait();
  });

  if (gave_up.load() || where[0] == where[1]) {
    std::printf("planted-race: the goroutines did NOT run on different workers at once: the test proves nothing\n");
    return 4;
  }
  std::printf("planted-race: two goroutines ran at once on different workers; shared = %ld\n", shared);
  if (!plant) {
    const unsigned migrated = goro_planted::run_control_workload();
    std::printf("planted-race: control workload done, %u goroutines migrated between workers\n", migrated);
  }
  return 0;
}
