// recv_chan_misuse.cpp — what a RecvChan<T> (Go's <-chan T) must refuse at compile time.
// Built once as is (every line legal: the control), then once per CASE value, each adding
// one illegal line that must fail with the message CMakeLists.txt names (after Go's perm.go).
#include <goro/goro.hpp>

#include <vector>

#ifndef CASE
#define CASE 0
#endif

void receive_only(goro::RecvChan<int> in, goro::Chan<int> both) {
  // Legal: everything a receiver may do.
  (void)in.recv();
  (void)in.try_recv();
  for (int v : in) (void)v;
  (void)goro::select(goro::case_recv(in), goro::case_default());
  goro::RecvChan<int> again = both;
  (void)again;
  std::vector<goro::SelectCase<int>> cases = {goro::SelectCase<int>::recv(in), goro::SelectCase<int>::send(both, 1),
                                              goro::SelectCase<int>::recv(both), goro::SelectCase<int>::default_case()};
  (void)goro::select_any(cases);
#if CASE == 1
  in.send(1);
#elif CASE == 2
  int v = 1;
  (void)in.try_send(v);
#elif CASE == 3
  in.close();
#elif CASE == 4
  goro::Chan<int> back = in;
  (void)back;
#elif CASE == 5
  (void)goro::select(goro::case_send(in, 1));
#elif CASE == 6
  (void)goro::SelectCase<int>::send(in, 1);
#endif
}
