// bench_thread.cpp — registers the `thread` backend (std::thread + baselines/thread_chan.hpp).
#include "backend_thread.hpp"
#include "registry.hpp"

namespace benches {
void register_thread(unsigned max_workers, const Filter& filter, std::vector<std::string>& names) {
  register_backend<ThreadBackend>("thread", max_workers, filter, names);
}
}  // namespace benches
