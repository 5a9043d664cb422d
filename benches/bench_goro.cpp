// bench_goro.cpp — registers the `goro/<policy>` backends, one per registered scheduler policy
// (goro::all_policies(): a new policy is benchmarked as soon as it is registered).
#include <string>

#include "backend_goro.hpp"
#include "registry.hpp"

namespace benches {
void register_goro(unsigned max_workers, const Filter& filter, std::vector<std::string>& names) {
  for (goro::Policy policy : goro::all_policies()) {
    register_backend<GoroBackend>("goro/" + std::string(goro::to_string(policy)), max_workers, filter, names, policy);
  }
}
}  // namespace benches
