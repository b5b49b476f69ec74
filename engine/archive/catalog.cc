#include "archive/catalog.h"

#include <deque>

#include "archive/walk.h"
#include "wal/names.h"
#include "wal/report.h"

namespace walpipe::archive {

namespace {

// Folds the objects of one archive, met in name order, into a summary.
class Summariser {
 public:
  Summariser(Store& store, uint64_t segment_size, ArchiveSummary* out)
      : store_(store), segment_size_(segment_size), out_(*out) {}

  Status add(const ObjectEntry& object) {
    const wal::WalFileName& name = object.name;
    out_.stored_bytes += object.size;
    switch (name.kind) {
      case wal::FileKind::kHistory:
        ++out_.history_files;
        return Status::ok();
      case wal::FileKind::kBackup:
        ++out_.backup_files;
        return Status::ok();
      case wal::FileKind::kPartial:
        ++out_.partial_files;
        out_.wal_bytes += segment_size_;
        return Status::ok();
      case wal::FileKind::kSegment:
        break;
    }
    std::optional<wal::SegNo> segno = wal::segno_of(name, segment_size_);
    if (!segno) return Status::ok();  // a name no cluster of this segment size writes
    ++out_.segments;
    out_.wal_bytes += segment_size_;
    if (current_ == nullptr || current_->timeline != name.tli) {
      finish_timeline();
      current_ = &out_.timelines.emplace_back();
      current_->timeline = name.tli;
      current_->oldest = name.to_string();
    } else if (*segno > last_segno_ + 1) {
      ++current_->gap_count;
      current_->missing_segments += *segno - last_segno_ - 1;
      if (current_->gaps.size() < kMaxGapsListed)
        current_->gaps.push_back({current_->newest, name.to_string(), *segno - last_segno_ - 1});
    }
    ++current_->segments;
    current_->newest = name.to_string();
    last_segno_ = *segno;
    newest_names_.push_back(name);
    if (newest_names_.size() > kCommitSearchDepth) newest_names_.pop_front();
    return Status::ok();
  }

  // Looks for the newest commit among the newest segments of the timeline just summed up.
  void finish_timeline() {
    for (auto it = newest_names_.rbegin(); it != newest_names_.rend(); ++it) {
      Result<ObjectMetadata> meta = store_.head(*it);
      if (!meta.is_ok()) {
        ++out_.unreadable_metadata;
        continue;
      }
      if (!meta->last_commit_time) continue;
      const auto unix_time = static_cast<int64_t>(wal::unix_seconds(*meta->last_commit_time));
      if (!out_.newest_commit_time || unix_time > *out_.newest_commit_time) {
        out_.newest_commit_time = unix_time;
        out_.newest_commit_segment = meta->name;
      }
      break;
    }
    newest_names_.clear();
  }

 private:
  Store& store_;
  const uint64_t segment_size_;
  ArchiveSummary& out_;
  TimelineSummary* current_ = nullptr;
  wal::SegNo last_segno_ = 0;
  std::deque<wal::WalFileName> newest_names_;
};

}  // namespace

Result<ArchiveSummary> summarize_archive(Store& store, uint64_t segment_size) {
  ArchiveSummary summary;
  Summariser summariser(store, segment_size, &summary);
  WALPIPE_TRY(for_each_object(store, [&](const ObjectEntry& o) { return summariser.add(o); }));
  summariser.finish_timeline();
  return summary;
}

}  // namespace walpipe::archive
