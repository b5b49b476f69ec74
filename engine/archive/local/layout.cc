#include "archive/local/layout.h"

#include "archive/keys.h"

#include <unistd.h>

#include <atomic>
#include <chrono>

namespace walpipe::archive {

Layout::Layout(std::string root, Sealing sealing) : root_(std::move(root)), sealing_(sealing) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string Layout::object_dir(const wal::WalFileName& name) const {
  if (name.kind == wal::FileKind::kHistory) return wal_dir();
  return wal_dir() + "/" + name.segment_name().substr(0, 16);
}

std::string Layout::object_path(const wal::WalFileName& name) const {
  return root_ + "/" + object_key(name, sealing_);
}

std::string Layout::superseded_path(const wal::WalFileName& name,
                                    const std::string& fingerprint_hex) const {
  return superseded_dir() + "/" + name.to_string() + "." + fingerprint_hex + ".zst";
}

std::string Layout::temp_path(const std::string& base) const {
  static std::atomic<uint64_t> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return tmp_dir() + "/" + base + "." + std::to_string(::getpid()) + "." + std::to_string(now) +
         "." + std::to_string(counter++);
}

}  // namespace walpipe::archive
