// policy.hpp — the runtime's side of scheduler policies: the registry that maps names to
// factories. The interface, its contract and the building blocks are public: <goro/policy.hpp>.
//
// Adding a built-in policy: write runtime/src/policies/<name>.cpp (against <goro/policy.hpp>,
// defining make_<name>_policy) and add its line to the table in policy_registry.cpp. CMake picks
// the file up by its name; tests, benchmarks and the stress driver iterate goro::all_policies().
// A policy outside goro's tree calls goro::register_policy() instead (README, "Adding your own
// scheduler policy").
#pragma once

#include <string>
#include <string_view>

#include "goro/options.hpp"
#include "goro/policy.hpp"

namespace goro::detail {

struct PolicyRegistration {
  std::string_view name;
  PolicyFactory make;
};

// find_registration() is the registration named `name`, or nullptr.
const PolicyRegistration* find_registration(std::string_view name);

// valid_policy_names() is "fifo, steal, go[, yours...]", for error messages.
std::string valid_policy_names();

}  // namespace goro::detail
