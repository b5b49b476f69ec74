#include "pipeline/expire.h"

#include <vector>

#include "archive/walk.h"

namespace walpipe::pipeline {

namespace {

class Remover {
 public:
  Remover(archive::Store& store, const archive::Identity& identity, const ExpirePlan& plan,
          const ExpireOptions& options, ExpireSink& sink, ExpireOutcome* out)
      : store_(store), identity_(identity), plan_(plan), options_(options), sink_(sink),
        out_(*out) {
    for (size_t i = 0; i < plan.backups.size(); ++i)
      if (!plan.kept[i] && plan.backups[i].from_archive) gone_backups_.push_back(i);
  }

  Status add(const archive::ObjectEntry& entry) {
    const std::string* reason = reason_to_go(entry.name);
    if (reason == nullptr) {
      keep(entry.name);
      return Status::ok();
    }
    const std::string path = store_.object_location(entry.name);
    // Looked at again right before it goes: the object may have changed since the plan.
    Result<archive::ObjectMetadata> meta = store_.head(entry.name);
    Status wrong;
    if (!meta.is_ok())
      wrong = meta.status();
    else if (meta->name != entry.name.to_string() ||
             (meta->system_id != 0 && meta->system_id != identity_.system_id))
      wrong = Status(Code::kMismatch, "archive object \"" + path +
                                          "\" is not the WAL of this archive it is named for");
    if (!wrong.is_ok()) {
      ++out_.left;
      sink_.problem(Status(wrong.code(), wrong.message() + "; it is left where it is"));
      keep(entry.name);
      return Status::ok();
    }
    if (!options_.dry_run) WALPIPE_TRY(store_.remove(entry.name));
    ++out_.removed;
    out_.removed_bytes += entry.size;
    sink_.removed(ExpiredObject{entry.name.to_string(), path, entry.size, reason});
    return Status::ok();
  }

 private:
  // Why the object goes; nullptr when it stays.
  const std::string* reason_to_go(const wal::WalFileName& name) {
    if (name.kind == wal::FileKind::kHistory) return nullptr;  // tiny, and how recovery finds
                                                              // the timelines
    std::optional<wal::SegNo> segno = wal::segno_of(name, plan_.segment_size);
    if (!segno || *segno >= *plan_.boundary) return nullptr;
    if (name.kind == wal::FileKind::kBackup) {
      for (size_t i : gone_backups_)
        if (plan_.backups[i].source == name.to_string()) {
          backup_reason_ = "backup " + name.to_string() +
                           " can no longer be restored: the WAL it needs from " +
                           plan_.backups[i].info.start_segment + " goes";
          return &backup_reason_;
        }
      // A .backup file the plan could not read goes with the WAL it would need.
      backup_reason_ = "the backup it describes needs WAL from " + name.segment_name() +
                       ", which goes";
      return &backup_reason_;
    }
    auto t = plan_.timelines.find(name.tli);
    if (t != plan_.timelines.end()) {
      const bool newest = name.kind == wal::FileKind::kSegment
                              ? t->second.newest_segment == segno
                              : t->second.newest_partial == segno;
      if (newest) return nullptr;  // where the timeline ends stays, whatever its age
    }
    return &plan_.reason;
  }

  void keep(const wal::WalFileName& name) {
    ++out_.kept;
    KeptTimeline& t = out_.timelines[name.tli];
    ++t.objects;
    if (name.kind != wal::FileKind::kSegment && name.kind != wal::FileKind::kPartial) return;
    if (t.first.empty()) t.first = name.to_string();
    t.last = name.to_string();
  }

  archive::Store& store_;
  const archive::Identity& identity_;
  const ExpirePlan& plan_;
  const ExpireOptions& options_;
  ExpireSink& sink_;
  ExpireOutcome& out_;
  std::vector<size_t> gone_backups_;
  std::string backup_reason_;
};

}  // namespace

Result<ExpireOutcome> carry_out_expiry(archive::Store& store, const archive::Identity& identity,
                                       const ExpirePlan& plan, const ExpireOptions& options,
                                       ExpireSink& sink) {
  WALPIPE_CHECK(plan.refusal.is_ok() && plan.boundary);
  WALPIPE_CHECK(plan.kept.size() == plan.backups.size());
  ExpireOutcome outcome;
  Remover remover(store, identity, plan, options, sink, &outcome);
  WALPIPE_TRY(archive::for_each_object(
      store, [&](const archive::ObjectEntry& e) { return remover.add(e); }));
  return outcome;
}

}  // namespace walpipe::pipeline
