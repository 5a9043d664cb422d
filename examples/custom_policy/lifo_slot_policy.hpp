// lifo_slot_policy.hpp — an example of a scheduler policy written outside goro's tree.
//
//   goro::Runtime rt({.workers = 2, .policy = goro::register_policy("lifo_slot", &make_lifo_slot_policy)});
#pragma once

#include <cstdint>
#include <memory>

#include <goro/policy.hpp>

// make_lifo_slot_policy() builds the policy for `workers` workers (a goro::PolicyFactory).
std::unique_ptr<goro::SchedulerPolicy> make_lifo_slot_policy(unsigned workers, std::uint64_t seed);
