#include "lookahead_worker.h"

#include "background.h"
#include "io/fs.h"
#include "io/uring_io.h"

namespace walpipe::cli {

namespace {
std::string lock_path(const archive::Layout& layout) {
  return layout.tmp_dir() + "/lookahead.lock";
}
}  // namespace

void wait_for_lookahead(const archive::Layout& layout, const wal::WalFileName& name,
                        int max_wait_ms) {
  wait_while_locked(lock_path(layout), layout.object_path(name), max_wait_ms);
}

void start_lookahead(const archive::Layout& layout, const std::vector<std::string>& paths,
                     const pipeline::PushOptions& options) {
  if (paths.empty()) return;
  run_detached_once(lock_path(layout), [&] {
    // A ring set up before fork() belongs to the parent: this process makes its own.
    std::string why;
    std::unique_ptr<io::Io> io = io::make_default_io(&why);
    for (const std::string& path : paths) {
      // Already archived (by an earlier look-ahead): PostgreSQL's own call confirms it.
      size_t slash = path.find_last_of('/');
      Result<wal::WalFileName> name = wal::parse_file_name(path.substr(slash + 1));
      if (!name.is_ok() || io::entry_type(layout.object_path(*name)).is_ok()) continue;
      // Failures are left for PostgreSQL's own call for that file, which reports them.
      Result<pipeline::PushResult> pushed = pipeline::push_file(*io, layout, path, options);
      (void)pushed;
    }
  });
}

}  // namespace walpipe::cli
