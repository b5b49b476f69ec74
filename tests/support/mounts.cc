#include "support/mounts.h"

#include <sys/mount.h>

#include "support/run_command.h"

namespace walpipe::testing {

namespace {

bool run(const std::vector<std::string>& argv, std::string* why) {
  CommandResult r = run_command(argv);
  if (r.exit_code == 0) return true;
  if (why) {
    *why = argv[0];
    for (size_t i = 1; i < argv.size(); ++i) *why += " " + argv[i];
    *why += ": exit " + std::to_string(r.exit_code) + ": " + r.err + r.out;
  }
  return false;
}

}  // namespace

Mount::Mount(std::string dir, std::string kind, std::string source, std::string options)
    : dir_(std::move(dir)),
      kind_(std::move(kind)),
      source_(std::move(source)),
      options_(std::move(options)) {}

Mount::~Mount() {
  if (!mounted_) return;
  // A remount left read-only, a busy file or a shut-down XFS must not leave the mount behind.
  if (!run({"/bin/umount", dir_}, nullptr)) {
    if (!run({"/bin/umount", "-l", dir_}, nullptr)) ::umount2(dir_.c_str(), MNT_DETACH);
  }
}

bool Mount::mount_now(std::string* why) {
  std::vector<std::string> argv;
  if (kind_ == "tmpfs")
    argv = {"/bin/mount", "-t", "tmpfs", "-o", options_, "tmpfs", dir_};
  else if (kind_ == "xfs")
    argv = {"/bin/mount", "-t", "xfs", "-o", "loop", source_, dir_};
  else
    argv = {"/bin/mount", "--bind", source_, dir_};
  mounted_ = run(argv, why);
  return mounted_;
}

std::unique_ptr<Mount> Mount::tmpfs(const std::string& dir, const std::string& options,
                                    std::string* why) {
  std::unique_ptr<Mount> m(new Mount(dir, "tmpfs", "", options));
  if (!m->mount_now(why)) return nullptr;
  return m;
}

std::unique_ptr<Mount> Mount::loop_xfs(const std::string& image, const std::string& dir,
                                       int megabytes, std::string* why) {
  if (!run({"/usr/bin/truncate", "-s", std::to_string(megabytes) + "M", image}, why))
    return nullptr;
  // mkfs.xfs lives in /sbin or /usr/sbin; go through sh so PATH finds it either way.
  if (!run({"/bin/sh", "-c", "PATH=/usr/sbin:/sbin:$PATH; exec mkfs.xfs -q -f \"$0\"", image}, why))
    return nullptr;
  std::unique_ptr<Mount> m(new Mount(dir, "xfs", image, ""));
  if (!m->mount_now(why)) return nullptr;
  return m;
}

std::unique_ptr<Mount> Mount::bind(const std::string& source, const std::string& dir,
                                   std::string* why) {
  std::unique_ptr<Mount> m(new Mount(dir, "bind", source, ""));
  if (!m->mount_now(why)) return nullptr;
  return m;
}

bool Mount::remount(bool read_only, std::string* why) {
  std::string opts =
      std::string("remount,") + (kind_ == "bind" ? "bind," : "") + (read_only ? "ro" : "rw");
  return run({"/bin/mount", "-o", opts, dir_}, why);
}

bool Mount::crash_and_remount(std::string* why) {
  if (kind_ != "xfs") {
    if (why) *why = "crash_and_remount needs an XFS loop mount";
    return false;
  }
  // No -f: the log is not flushed, so only what was made durable before survives.
  if (!run({"/bin/sh", "-c", "PATH=/usr/sbin:/sbin:$PATH; exec xfs_io -x -c shutdown \"$0\"", dir_},
           why))
    return false;
  if (!unmount(why)) return false;
  return mount_now(why);
}

bool Mount::unmount(std::string* why) {
  if (!mounted_) return true;
  if (!run({"/bin/umount", dir_}, why)) return false;
  mounted_ = false;
  return true;
}

}  // namespace walpipe::testing
