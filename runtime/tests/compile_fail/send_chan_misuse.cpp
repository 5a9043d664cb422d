// send_chan_misuse.cpp — what a SendChan<T> (Go's chan<- T) must refuse at compile time.
// Built once as is (every line legal: the control), then once per CASE value, each adding
// one illegal line that must fail with the message CMakeLists.txt names (after Go's perm.go).
#include <goro/goro.hpp>

#include <vector>

#ifndef CASE
#define CASE 0
#endif

void send_only(goro::SendChan<int> out, goro::Chan<int> both) {
  // Legal: everything a sender may do.
  out.send(1);
  int v = 2;
  (void)out.try_send(v);
  (void)goro::select(goro::case_send(out, 3), goro::case_default());
  out.close();
  goro::SendChan<int> again = both;
  (void)again;
  std::vector<goro::SelectCase<int>> cases = {goro::SelectCase<int>::send(out, 4), goro::SelectCase<int>::default_case()};
  (void)goro::select_any(cases);
#if CASE == 1
  (void)out.recv();
#elif CASE == 2
  (void)out.try_recv(v);
#elif CASE == 3
  for (int x : out) (void)x;
#elif CASE == 4
  goro::Chan<int> back = out;
  (void)back;
#elif CASE == 5
  (void)goro::select(goro::case_recv(out));
#elif CASE == 6
  (void)goro::SelectCase<int>::recv(out);
#endif
}
