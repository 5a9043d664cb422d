// conformance.hpp — the policy conformance kit: the tests every scheduler policy must pass, run
// on yours. Each test checks one item of the contract at the top of <goro/policy.hpp>.
//
// From CMake (find_package(goro) provides the function; it builds a GoogleTest executable from
// the kit's tests and registers it with ctest):
//
//   add_library(my_policy STATIC my_policy.cpp)       # defines make_my_policy(workers, seed)
//   target_link_libraries(my_policy PUBLIC goro::goro)
//   goro_add_policy_conformance(my_policy_conformance make_my_policy
//                               NAME my_policy LIBRARIES my_policy HEADER my_policy.hpp)
//
// By hand: compile the kit's test file (share/goro/conformance/policy_conformance_test.cpp) with
// GoogleTest's main and call test_policy() before main (a static initializer), e.g.
//   static const bool registered = (goro::conformance::test_policy(goro::register_policy("mine", &make_mine)), true);
// With no test_policy() call the kit tests every registered policy (goro's own test tier does so).
//
// Every test runs its program on a Runtime with 1 and with 2 workers and under a deadline
// (GORO_CONFORMANCE_DEADLINE seconds, default 30): a policy that loses a goroutine cannot hang
// the kit — the deadline reports what was still missing and exits the process with status 1.
#pragma once

#include <vector>

#include "goro/options.hpp"

namespace goro::conformance {

// test_policy() adds `policy` to the policies the kit's tests run on.
void test_policy(Policy policy);

// policies_under_test() is every policy given to test_policy(), or all_policies() when none was.
std::vector<Policy> policies_under_test();

}  // namespace goro::conformance
