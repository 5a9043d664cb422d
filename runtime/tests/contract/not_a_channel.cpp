// not_a_channel.cpp — types that break the algorithm contract; compiled (and expected to fail, with
// one readable error) by contract.rejects.<CASE> in this directory's CMakeLists.txt.
#include <cstddef>

#include <goro/algorithm.hpp>

#if CASE == 1
// A channel with everything but a non-blocking receive.
template <class Sync, class T>
struct NoTryRecv {
  explicit NoTryRecv(std::size_t);
  goro::SendStatus send(T&);
  goro::RecvStatus recv(T&);
  goro::SendStatus try_send(T&);
  bool close();
  std::size_t len() const;
  std::size_t cap() const;
};
template <class C>
void use(C& c) {
  int v = 0;
  c.try_recv(v);  // never instantiated: the check speaks first
}
void run() {
  if constexpr (goro::check_channel_algorithm<NoTryRecv>()) {
    NoTryRecv<goro::sync::ProbeSync, int> c(1);
    use(c);
  }
}
#elif CASE == 2
// A channel that cannot be built from a capacity.
template <class Sync, class T>
struct NoCapacity {
  NoCapacity() = default;
};
static_assert(goro::check_channel_algorithm<NoCapacity>() || true);
#elif CASE == 3
// A run queue without steal().
template <class Sync, class Item>
struct NoSteal {
  bool push(Item*);
  Item* pop();
};
constexpr bool ok = goro::check_run_queue_algorithm<NoSteal>();
#endif
