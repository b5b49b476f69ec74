#include "lookahead_worker.h"

#include "background.h"
#include "io/fs.h"
#include "io/uring_io.h"
#include "pipeline/batch_push.h"

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
    // Already archived (by an earlier look-ahead): PostgreSQL's own call confirms it.
    std::vector<std::string> todo;
    for (const std::string& path : paths) {
      Result<wal::WalFileName> name = wal::parse_file_name(io::base_name(path));
      if (name.is_ok() && !io::entry_type(layout.object_path(*name)).is_ok()) todo.push_back(path);
    }
    // Rings set up before fork() belong to the parent: this process makes its own. Failures are
    // left for PostgreSQL's own call for that file, which reports them.
    pipeline::push_files(todo, layout, options, io::default_io_factory());
  });
}

}  // namespace walpipe::cli
