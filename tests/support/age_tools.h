// The age command-line tools of Debian's age package (scripts/setup.sh installs it): the tests
// make keys with them as an operator does, and check that age opens what walpipe seals.
#pragma once

namespace walpipe::testing {

inline constexpr const char* kAge = "/usr/bin/age";
inline constexpr const char* kAgeKeygen = "/usr/bin/age-keygen";

}  // namespace walpipe::testing
