#include "support/files.h"

#include <fstream>
#include <iterator>

namespace walpipe::testing {

std::vector<std::byte> file_bytes(const std::string& path) {
  const std::string text = file_text(path);
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  return std::vector<std::byte>(p, p + text.size());
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace walpipe::testing
