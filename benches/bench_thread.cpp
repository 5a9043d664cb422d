// bench_thread.cpp — registers the `thread` backend (std::thread + baselines/thread_chan.hpp).
#include "backend_thread.hpp"
#include "registry.hpp"

namespace benches {
void register_thread(const WorkerCounts& worker_counts, const Filter& filter, std::vector<std::string>& names) {
  register_backend<ThreadBackend>("thread", worker_counts, filter, names);
}
}  // namespace benches
