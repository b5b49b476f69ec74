#include "lookahead_worker.h"

#include <algorithm>

#include "archive/owner.h"
#include "background.h"
#include "io/fs.h"
#include "io/uring_io.h"
#include "pipeline/batch_push.h"
#include "pipeline/lookahead.h"

namespace walpipe::cli {

namespace {

std::string lock_path(const archive::Layout& layout) {
  return layout.tmp_dir() + "/lookahead.lock";
}

bool is_archived(const archive::Layout& layout, const std::string& path) {
  Result<wal::WalFileName> name = wal::parse_file_name(io::base_name(path));
  return name.is_ok() && io::entry_type(layout.object_path(*name)).is_ok();
}

std::vector<std::string> names_of(const std::vector<std::string>& paths) {
  std::vector<std::string> names;
  for (const std::string& path : paths) names.push_back(io::base_name(path));
  return names;
}

// Pushes one window; false when every file in it that needed a push failed.
bool push_window(const archive::Layout& layout, const std::vector<std::string>& window,
                 const pipeline::PushOptions& options) {
  // Already archived (by an earlier look-ahead): PostgreSQL's own call confirms it.
  std::vector<std::string> todo;
  for (const std::string& path : window)
    if (!is_archived(layout, path)) todo.push_back(path);
  if (todo.empty()) return true;
  // Rings set up before fork() belong to the parent: this process makes its own. Failures are
  // left for PostgreSQL's own call for that file, which reports them.
  std::vector<Result<pipeline::PushResult>> results =
      pipeline::push_files(todo, layout, options, io::default_io_factory());
  return std::any_of(results.begin(), results.end(), [](const auto& r) { return r.is_ok(); });
}

}  // namespace

void start_lookahead(const archive::Layout& layout, const std::string& requested, size_t window,
                     const pipeline::PushOptions& options) {
  std::vector<std::string> paths;
  // The first window is listed under the lock, before any fork: with nothing ready, or only
  // files archived already (PostgreSQL's archiver restarted behind a look-ahead), no process is
  // started; PostgreSQL's own calls confirm those.
  auto anything_ready = [&] {
    Result<std::vector<std::string>> first = pipeline::next_ready_files(requested, window);
    if (first.is_ok()) paths = std::move(*first);
    return std::any_of(paths.begin(), paths.end(),
                       [&](const std::string& path) { return !is_archived(layout, path); });
  };
  run_detached_once(lock_path(layout), anything_ready, [&](int lock) {
    // Made by a push run as root in the server's archive: a lock the server cannot open would
    // keep its look-ahead off for good.
    Result<std::optional<archive::Owner>> owner = archive::foreign_owner(layout);
    if (owner.is_ok()) (void)archive::give_to(*owner, lock_path(layout));
    std::string last_segment;  // the last segment taken so far; later windows start after it
    while (!paths.empty()) {
      announce_plan(lock, names_of(paths));
      if (!push_window(layout, paths, options)) return;
      for (const std::string& path : paths)
        if (!path.ends_with(".history")) last_segment = io::base_name(path);
      Result<std::vector<std::string>> next =
          pipeline::ready_segments_after(requested, last_segment, window);
      if (!next.is_ok()) return;
      paths = std::move(*next);
    }
  });
}

void wait_for_lookahead(const archive::Layout& layout, const std::string& source,
                        const wal::WalFileName& name, int max_wait_ms) {
  const std::string wanted = name.to_string();
  wait_while_locked(
      lock_path(layout), layout.object_path(name), max_wait_ms,
      [&](const std::vector<std::string>& plan) {
        if (may_be_planned(plan, wanted)) return true;
        // Later windows take only segments marked ready: not one pushed by hand, or from
        // elsewhere; and every such segment after the last one of this window.
        if (name.kind == wal::FileKind::kHistory ||
            !io::entry_type(io::dir_name(source) + "/archive_status/" + wanted + ".ready").is_ok())
          return false;
        return std::none_of(plan.begin(), plan.end(), [&](const std::string& planned) {
          return !planned.ends_with(".history") && !pipeline::archived_before(planned, wanted);
        });
      });
}

}  // namespace walpipe::cli
