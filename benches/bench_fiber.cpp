// bench_fiber.cpp — registers the `fiber/<algorithm>` backends (Boost.Fiber 1.74).
#include "backend_fiber.hpp"
#include "registry.hpp"

namespace benches {
void register_fiber(const WorkerCounts& worker_counts, const Filter& filter, std::vector<std::string>& names) {
  register_backend<FiberBackend<FiberAlgorithm::round_robin>>("fiber/round_robin", worker_counts, filter, names);
  register_backend<FiberBackend<FiberAlgorithm::shared_work>>("fiber/shared_work", worker_counts, filter, names);
  register_backend<FiberBackend<FiberAlgorithm::work_stealing>>("fiber/work_stealing", worker_counts, filter, names);
}
}  // namespace benches
