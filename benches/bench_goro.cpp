// bench_goro.cpp — registers the `goro/<policy>` backends, one per scheduler policy.
#include "backend_goro.hpp"
#include "registry.hpp"

namespace benches {
void register_goro(unsigned max_workers, const Filter& filter, std::vector<std::string>& names) {
  register_backend<GoroBackend<goro::Policy::fifo>>("goro/fifo", max_workers, filter, names);
  register_backend<GoroBackend<goro::Policy::steal>>("goro/steal", max_workers, filter, names);
  register_backend<GoroBackend<goro::Policy::go>>("goro/go", max_workers, filter, names);
}
}  // namespace benches
