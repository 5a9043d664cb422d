// policy_registry.cpp — the table of scheduler policies: the built-ins, one line each, and the
// ones registered at run time with goro::register_policy(); names <-> Policy values.
#include <cctype>
#include <deque>
#include <iterator>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>

#include "policy.hpp"

namespace goro {
namespace detail {

// The built-in policies' factories, one file each in policies/ (CMake compiles every file there).
std::unique_ptr<SchedulerPolicy> make_fifo_policy(unsigned workers, std::uint64_t seed);
std::unique_ptr<SchedulerPolicy> make_steal_policy(unsigned workers, std::uint64_t seed);
std::unique_ptr<SchedulerPolicy> make_go_policy(unsigned workers, std::uint64_t seed);

namespace {

constexpr PolicyRegistration kBuiltins[] = {
    {"fifo", &make_fifo_policy},
    {"steal", &make_steal_policy},
    {"go", &make_go_policy},
};

// Policies registered at run time. A deque: registrations never move, so a Policy (a pointer
// to one) and its name stay valid for the life of the process.
struct Registered {
  std::string name;
  PolicyRegistration registration;
};
struct Registry {
  std::mutex mutex;  // guards `added`; leaf
  std::deque<Registered> added;
};
Registry& registry() {
  static Registry instance;
  return instance;
}

bool well_formed(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

const PolicyRegistration* find_registration(std::string_view name) {
  for (const PolicyRegistration& r : kBuiltins) {
    if (r.name == name) return &r;
  }
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  for (const Registered& r : reg.added) {
    if (r.registration.name == name) return &r.registration;
  }
  return nullptr;
}

std::string valid_policy_names() {
  std::string names;
  for (Policy p : all_policies()) {
    if (!names.empty()) names += ", ";
    names += p.name();
  }
  return names;
}

}  // namespace detail

constinit const Policy Policy::fifo{&detail::kBuiltins[0]};
constinit const Policy Policy::steal{&detail::kBuiltins[1]};
constinit const Policy Policy::go{&detail::kBuiltins[2]};

std::string_view Policy::name() const noexcept { return registration_->name; }

std::ostream& operator<<(std::ostream& os, Policy policy) { return os << policy.name(); }

std::string_view to_string(Policy policy) noexcept { return policy.name(); }

Policy parse_policy(std::string_view name) {
  if (const detail::PolicyRegistration* r = detail::find_registration(name)) return Policy(r);
  throw std::invalid_argument("goro: unknown scheduler policy '" + std::string(name) +
                              "' (valid: " + detail::valid_policy_names() + ")");
}

std::vector<Policy> all_policies() {
  std::vector<Policy> list;
  for (const detail::PolicyRegistration& r : detail::kBuiltins) list.emplace_back(&r);
  detail::Registry& reg = detail::registry();
  std::lock_guard lock(reg.mutex);
  for (const detail::Registered& r : reg.added) list.emplace_back(&r.registration);
  return list;
}

Policy register_policy(std::string_view name, PolicyFactory make) {
  if (!detail::well_formed(name)) {
    throw std::invalid_argument("goro: register_policy: '" + std::string(name) +
                                "' is not a policy name (1-64 letters, digits, '_' or '-')");
  }
  if (make == nullptr) throw std::invalid_argument("goro: register_policy: '" + std::string(name) + "' has no factory");
  for (const detail::PolicyRegistration& r : detail::kBuiltins) {
    if (r.name == name) throw std::invalid_argument("goro: register_policy: '" + std::string(name) + "' is a built-in policy");
  }
  detail::Registry& reg = detail::registry();
  std::lock_guard lock(reg.mutex);
  for (const detail::Registered& r : reg.added) {
    if (r.registration.name != name) continue;
    if (r.registration.make == make) return Policy(&r.registration);
    throw std::invalid_argument("goro: register_policy: '" + std::string(name) + "' is already registered with another factory");
  }
  detail::Registered& added = reg.added.emplace_back();
  added.name = std::string(name);
  added.registration = {added.name, make};
  return Policy(&added.registration);
}

}  // namespace goro
