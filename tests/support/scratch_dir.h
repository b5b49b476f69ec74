// A fresh directory per test on a real filesystem, removed afterwards.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace walpipe::testing {

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `bytes` to `name` inside the directory; returns the full path.
  std::string write(const std::string& name, const std::vector<std::byte>& bytes) const;
  std::string write(const std::string& name, const std::string& text) const;
  // Writes `text` to an absolute path (any directory).
  static void write_file(const std::string& path, const std::string& text);

 private:
  std::string path_;
};

}  // namespace walpipe::testing
