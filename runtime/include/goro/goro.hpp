// goro.hpp — the whole public API: goroutines, channels and their directional views, select,
// timers, WaitGroup, Mutex.
//
//   #include <goro/goro.hpp>
//   int main() {
//     goro::Runtime rt;
//     rt.run([] {
//       auto ch = goro::make_chan<std::string>();
//       goro::go([ch]() mutable { ch.send("hello"); });
//       std::puts(ch.recv()->c_str());
//     });
//   }
#pragma once

#include "goro/chan.hpp"
#include "goro/direction.hpp"
#include "goro/errors.hpp"
#include "goro/go.hpp"
#include "goro/mutex.hpp"
#include "goro/options.hpp"
#include "goro/runtime.hpp"
#include "goro/select.hpp"
#include "goro/stats.hpp"
#include "goro/timer.hpp"
#include "goro/waitgroup.hpp"
