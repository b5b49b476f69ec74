// The one table of exit codes (design.md "Exit codes PostgreSQL relies on"). Tests assert these.
#pragma once

namespace walpipe::exit_code {

inline constexpr int kOk = 0;

// verify
inline constexpr int kVerifyProblems = 1;  // at least one file is invalid
inline constexpr int kUsage = 2;           // bad arguments, or files that could not be read

}  // namespace walpipe::exit_code
