// rss.hpp — the process's resident set size, for the checks that memory is given back after a
// burst (the policy conformance kit's C5, goro-stress's spawn-storm).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace goro::detail {

// rss_bytes() is VmRSS from /proc/self/status (0 where unavailable).
inline std::uint64_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

}  // namespace goro::detail
