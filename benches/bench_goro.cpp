// bench_goro.cpp — registers the `goro/<policy>` backends, one per scheduler policy.
#include "backend_goro.hpp"
#include "registry.hpp"

namespace benches {
void register_goro(const WorkerCounts& worker_counts, const Filter& filter, std::vector<std::string>& names) {
  register_backend<GoroBackend<goro::Policy::fifo>>("goro/fifo", worker_counts, filter, names);
  register_backend<GoroBackend<goro::Policy::steal>>("goro/steal", worker_counts, filter, names);
  register_backend<GoroBackend<goro::Policy::go>>("goro/go", worker_counts, filter, names);
}
}  // namespace benches
