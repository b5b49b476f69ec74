// Real filesystems for fault tests: a small tmpfs (size= / nr_inodes= for ENOSPC), a
// loop-mounted XFS image (for `xfs_io -x -c shutdown` crash simulation), read-only remounts and
// bind mounts. Every mount is undone by its destructor, so a failing assertion never leaves a
// mount behind. Mounting needs root (CAP_SYS_ADMIN); callers WALPIPE_SKIP when a factory returns
// nullopt and say why with `why`.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace walpipe::testing {

class Mount {
 public:
  // `options` as for mount -o, e.g. "size=2m" or "size=4m,nr_inodes=16".
  static std::unique_ptr<Mount> tmpfs(const std::string& dir, const std::string& options,
                                      std::string* why);
  // Creates a sparse image of `megabytes`, runs mkfs.xfs on it and loop-mounts it on `dir`.
  static std::unique_ptr<Mount> loop_xfs(const std::string& image, const std::string& dir,
                                         int megabytes, std::string* why);
  // Bind-mounts `source` on `dir`.
  static std::unique_ptr<Mount> bind(const std::string& source, const std::string& dir,
                                     std::string* why);

  ~Mount();
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;

  const std::string& dir() const { return dir_; }

  // mount -o remount,ro (or rw); returns false and fills `why` on failure.
  bool remount(bool read_only, std::string* why);
  // Simulates power loss: `xfs_io -x -c shutdown` (no log flush), then unmounts and mounts the
  // image again. Only for loop_xfs mounts.
  bool crash_and_remount(std::string* why);
  // Unmounts now (the destructor then does nothing).
  bool unmount(std::string* why);

 private:
  Mount(std::string dir, std::string kind, std::string source, std::string options);
  bool mount_now(std::string* why);

  std::string dir_;
  std::string kind_;     // "tmpfs", "xfs" or "bind"
  std::string source_;   // image file or bind source
  std::string options_;  // tmpfs options
  bool mounted_ = false;
};

}  // namespace walpipe::testing
