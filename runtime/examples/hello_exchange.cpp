// hello_exchange — the smallest goro program: two goroutines talk over unbuffered channels.
//
// An unbuffered channel is a rendezvous: send() waits until someone receives. So "ping" below
// cannot be sent before main is ready to take it, and main's reply waits for the other side.
#include <cstdio>
#include <string>

#include <goro/goro.hpp>

int main() {
  goro::Runtime runtime;  // worker threads; policy and count from GORO_POLICY / GORO_WORKERS
  const std::string transcript = runtime.run([] {
    auto to_main = goro::make_chan<std::string>();
    auto to_friend = goro::make_chan<std::string>();

    // go() starts a goroutine. Channels are cheap handles: capture them by value.
    goro::go([to_main, to_friend]() mutable {
      to_main.send("hello from a goroutine");
      const std::optional<std::string> reply = to_friend.recv();
      to_main.send("friend heard: " + *reply);
    });

    std::string log = *to_main.recv() + "\n";
    to_friend.send("hello back from main");
    log += *to_main.recv() + "\n";
    return log;  // run() returns what main returns
  });

  std::fputs(transcript.c_str(), stdout);
  const bool ok = transcript == "hello from a goroutine\nfriend heard: hello back from main\n";
  std::printf("%s\n", ok ? "OK" : "WRONG transcript");
  return ok ? 0 : 1;
}
