// planted_use_after_free.cpp — a use-after-free of a channel element, for ASan.
//
//   goro-planted-uaf --plant   # ASan must report "heap-use-after-free" (stress.planted.use-after-free)
//   goro-planted-uaf           # the same program, bug removed: ASan/UBSan must stay silent
//
// A sender goroutine moves a std::unique_ptr<Payload> into a channel but keeps the raw pointer;
// a receiver goroutine (on the other worker, when the scheduler puts it there) takes the element,
// uses it and destroys it, then acknowledges. With --plant the sender then reads through its
// stale raw pointer. Without --plant it does not, and the control workload (control_workload.hpp)
// runs too.
#include <cstdio>
#include <memory>
#include <string_view>

#include "control_workload.hpp"

namespace {
struct Payload {
  long value = 41;
  char padding[64] = {};
};
}  // namespace

int main(int argc, char** argv) {
  const bool plant = argc > 1 && std::string_view(argv[1]) == "--plant";
  goro::Options options;
  options.workers = 2;
  options.policy = goro::Policy::steal;
  goro::Runtime rt(options);
  long seen = 0;

  rt.run([&] {
    auto elements = goro::make_chan<std::unique_ptr<Payload>>(1);
    auto ack = goro::make_chan<long>();
    goro::WaitGroup wg;
    wg.add(2);
    goro::go([&] {
      auto element = std::make_unique<Payload>();
      Payload* stale = element.get();
      elements.send(std::move(element));
      seen = *ack.recv();
      if (plant) seen += stale->value;  // THE PLANTED BUG: the receiver already destroyed it
      wg.done();
    });
    goro::go([&] {
      std::unique_ptr<Payload> element = *elements.recv();
      element->value += 1;
      const long value = element->value;
      element.reset();  // the channel element dies here
      ack.send(value);
      wg.done();
    });
    wg.wait();
  });

  std::printf("planted-use-after-free: receiver saw %ld\n", seen);
  if (!plant) {
    const unsigned migrated = goro_planted::run_control_workload();
    std::printf("planted-use-after-free: control workload done, %u goroutines migrated between workers\n", migrated);
  }
  return 0;
}
