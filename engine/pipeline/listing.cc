#include "pipeline/listing.h"

#include "archive/walk.h"

namespace walpipe::pipeline {

namespace {

using wal::PgTimestamp;

bool meets(const ListFilter& f, PgTimestamp first, PgTimestamp last) {
  return (!f.since || last >= *f.since) && (!f.until || first <= *f.until);
}

class Lister {
 public:
  Lister(archive::Store& store, const std::optional<archive::Identity>& identity,
         const ListFilter& filter, ListSink& sink, ListOutcome* out)
      : store_(store), identity_(identity), filter_(filter), sink_(sink), out_(*out) {}

  Status add(const archive::ObjectEntry& entry) {
    ++out_.objects;
    const std::string path = store_.object_location(entry.name);
    if (!identity_) {
      if (warned_identity_) return Status::ok();
      warned_identity_ = true;  // one line says it of the whole archive
      return problem(no_identity(path));
    }
    Result<archive::ObjectMetadata> meta = store_.head(entry.name);
    if (!meta.is_ok()) return problem(meta.status());
    const std::string name = entry.name.to_string();
    if (meta->name != name)
      return problem(Status(Code::kCorruption, "archive object \"" + path + "\" holds \"" +
                                                   meta->name + "\" according to its metadata"));
    if (meta->system_id != 0 && meta->system_id != identity_->system_id)
      return problem(foreign(path, meta->system_id));
    if (entry.name.tli != run_timeline_) {
      run_timeline_ = entry.name.tli;
      run_commit_.reset();
    }
    const std::optional<PgTimestamp> before = run_commit_;
    if (meta->last_commit_time) run_commit_ = meta->last_commit_time;
    const bool wal =
        entry.name.kind == wal::FileKind::kSegment || entry.name.kind == wal::FileKind::kPartial;
    if (wal && meta->last_commit_time) note_commits(name, entry.name.tli, *meta, before);
    if (filter_.timeline && entry.name.tli != *filter_.timeline) return Status::ok();
    bool shown;
    if (entry.name.kind == wal::FileKind::kBackup)
      shown = add_backup(entry);
    else if (meta->first_commit_time && meta->last_commit_time)
      shown = meets(filter_, *meta->first_commit_time, *meta->last_commit_time);
    else
      shown = before ? meets(filter_, *before, *before) : !filter_.since;
    if (!shown) return Status::ok();
    ++out_.listed;
    sink_.object(ListedObject{name, entry.name.kind, entry.name.tli, entry.size, &*meta});
    return Status::ok();
  }

 private:
  Status problem(const Status& status) {
    ++out_.problems;
    sink_.problem(status);
    return Status::ok();  // the walk goes on
  }

  static Status no_identity(const std::string& path) {
    return Status(Code::kNotFound, "archive object \"" + path +
                                       "\" cannot be checked: the archive has no walpipe.json, and "
                                       "nothing in it is listed")
        .with_hint("walpipe push writes walpipe.json before any object; restore it from a copy.");
  }

  Status foreign(const std::string& path, uint64_t system_id) const {
    return Status(Code::kMismatch, "archive object \"" + path +
                                       "\" belongs to another cluster: its WAL has system "
                                       "identifier " +
                                       std::to_string(system_id) + ", the archive's is " +
                                       std::to_string(identity_->system_id))
        .with_hint("Another cluster archived here, or the file was copied in: remove it.");
  }

  // The running answers: the newest commit, and the segment covering --at.
  void note_commits(const std::string& name, wal::TimeLineId tli,
                    const archive::ObjectMetadata& meta, std::optional<PgTimestamp> before) {
    const PgTimestamp first = *meta.first_commit_time, last = *meta.last_commit_time;
    if (!out_.last_restorable_time || last > *out_.last_restorable_time) {
      out_.last_restorable_time = last;
      out_.last_restorable_segment = name;
    }
    if (!filter_.at || (filter_.timeline && tli != *filter_.timeline)) return;
    const PgTimestamp t = *filter_.at;
    if (!out_.at_oldest_commit || first < *out_.at_oldest_commit) out_.at_oldest_commit = first;
    if (!out_.at_newest_commit || last > *out_.at_newest_commit) out_.at_newest_commit = last;
    const bool starts_before = before ? *before < t : first <= t;
    if (starts_before && t <= last && (!out_.at || out_.at->timeline <= tli))
      out_.at = CoveringSegment{name, tli, first, last};
  }

  bool add_backup(const archive::ObjectEntry& entry) {
    Result<KnownBackup> backup =
        read_backup_object(loader_, store_, entry.name, identity_->segment_size);
    if (!backup.is_ok()) {
      (void)problem(backup.status());
      return !filter_.since && !filter_.until;  // the object itself is there all the same
    }
    const wal::BackupInfo& info = backup->info;
    if (!meets(filter_, info.start_time, info.stop_time.value_or(info.start_time))) return false;
    out_.backups.push_back(std::move(*backup));
    return true;
  }

  archive::Store& store_;
  const std::optional<archive::Identity>& identity_;
  const ListFilter& filter_;
  ListSink& sink_;
  ListOutcome& out_;
  FileLoader loader_;
  wal::TimeLineId run_timeline_ = 0;
  std::optional<PgTimestamp> run_commit_;  // the newest commit so far on run_timeline_
  bool warned_identity_ = false;
};

}  // namespace

Result<ListOutcome> list_archive(archive::Store& store,
                                 const std::optional<archive::Identity>& identity,
                                 const ListFilter& filter, ListSink& sink) {
  ListOutcome outcome;
  Lister lister(store, identity, filter, sink, &outcome);
  WALPIPE_TRY(archive::for_each_object(
      store, [&](const archive::ObjectEntry& entry) { return lister.add(entry); }));
  return outcome;
}

}  // namespace walpipe::pipeline
