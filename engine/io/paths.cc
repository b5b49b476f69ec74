#include "io/paths.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <vector>

#include "base/check.h"
#include "io/fs.h"

namespace walpipe::io {

namespace {

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += "/" + parts[i];
  return out.empty() ? "/" : out;
}

// The canonical form of an existing path, or "" when it does not exist or cannot be resolved.
std::string real_path(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr),
                                                       &std::free);
  return resolved ? std::string(resolved.get()) : std::string();
}

}  // namespace

Result<std::string> current_directory() {
  // PATH_MAX is what the kernel returns at most; a deeper directory is ENAMETOOLONG.
  std::vector<char> buf(PATH_MAX);
  if (::getcwd(buf.data(), buf.size()) == nullptr)
    return errno_status(errno, "get the current directory", ".");
  return std::string(buf.data());
}

std::string absolute_normal(const std::string& base, const std::string& path) {
  const bool relative = path.empty() || path[0] != '/';
  WALPIPE_CHECK(!relative || (!base.empty() && base[0] == '/'));
  std::vector<std::string> out;
  for (const std::string& part : components(relative ? base + "/" + path : path)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(part);
  }
  return joined(out, out.size());
}

std::string resolve_existing_prefix(const std::string& path) {
  WALPIPE_CHECK(!path.empty() && path[0] == '/');
  // The path as written, not normalised first: ".." after a symbolic link means the link
  // target's parent to the kernel, and realpath gives exactly that.
  const std::vector<std::string> parts = components(path);
  for (size_t keep = parts.size() + 1; keep-- > 0;) {
    std::string resolved = real_path(joined(parts, keep));
    if (resolved.empty()) continue;
    std::string rest;
    for (size_t i = keep; i < parts.size(); ++i) rest += (rest.empty() ? "" : "/") + parts[i];
    return absolute_normal(resolved, rest);
  }
  return absolute_normal("/", path);
}

bool is_within(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path[0] == '/';
  if (!path.starts_with(dir)) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

}  // namespace walpipe::io
