// Finding and killing the background workers walpipe detaches (look-ahead pusher, prefetcher):
// each holds its lock file open for as long as it works.
#pragma once

#include <set>
#include <string>

namespace walpipe::testing {

// The processes that have `path` open, and how many.
std::set<int> holders(const std::string& path);
int holder_count(const std::string& path);

// Sends SIGKILL to every process with `path` open and waits until they are gone; returns how
// many there were.
int kill_holders(const std::string& path);

}  // namespace walpipe::testing
