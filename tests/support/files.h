// A whole file read back, as the tests compare what a command wrote with what they expect.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace walpipe::testing {

// The bytes of `path`; empty when it cannot be read.
std::vector<std::byte> file_bytes(const std::string& path);

// The same, as a string.
std::string file_text(const std::string& path);

}  // namespace walpipe::testing
