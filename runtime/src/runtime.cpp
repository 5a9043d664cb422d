// runtime.cpp — Runtime and Options: configuration (with the environment) and the run() doorway.
#include "goro/runtime.hpp"

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#include "policy.hpp"
#include "scheduler.hpp"

namespace goro {

unsigned default_workers() {
  const char* env = std::getenv("GORO_WORKERS");
  if (env == nullptr) {
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
    return 2;  // the deterministic world: the machine's core count must not change the schedule
#endif
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
  }
  const std::string_view text(env);
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value == 0 || value > 1024) {
    throw std::invalid_argument("goro: GORO_WORKERS must be a whole number from 1 to 1024, got '" + std::string(text) + "'");
  }
  return value;
}

Policy default_policy() {
  const char* env = std::getenv("GORO_POLICY");
  if (env == nullptr) return Policy::go;
  try {
    return parse_policy(env);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("goro: GORO_POLICY='" + std::string(env) + "' is not a scheduler policy (valid: " +
                                detail::valid_policy_names() + ")");
  }
}

std::string default_trace() {
  const char* env = std::getenv("GORO_TRACE");
  return env != nullptr ? std::string(env) : std::string();
}

bool default_wake_latency() {
  const char* env = std::getenv("GORO_WAKE_LATENCY");
  if (env == nullptr) return false;
  const std::string_view text(env);
  if (text == "1" || text == "on") return true;
  if (text == "0" || text == "off" || text.empty()) return false;
  throw std::invalid_argument("goro: GORO_WAKE_LATENCY must be 1/on or 0/off, got '" + std::string(text) + "'");
}

Runtime::Runtime(Options options) : scheduler_(std::make_unique<detail::Scheduler>(options)) {}

Runtime::~Runtime() = default;

void Runtime::run_erased(void (*fn)(void*), void* arg) { scheduler_->run(fn, arg); }

Stats Runtime::stats() const { return scheduler_->stats(); }

const Options& Runtime::options() const noexcept { return scheduler_->options(); }

void Runtime::release_memory() { scheduler_->release_memory(); }

}  // namespace goro
