// policy_registry.cpp — the table of scheduler policies: one line per policy.
#include <iterator>

#include "policy.hpp"

namespace goro::detail {
namespace {

constexpr PolicyRegistration kPolicies[] = {
    {Policy::fifo, "fifo", &make_fifo_policy},
    {Policy::steal, "steal", &make_steal_policy},
    {Policy::go, "go", &make_go_policy},
};

}  // namespace

const PolicyRegistration* policy_registry_begin() noexcept { return std::begin(kPolicies); }
const PolicyRegistration* policy_registry_end() noexcept { return std::end(kPolicies); }

}  // namespace goro::detail
