#include "pipeline/push.h"

#include <fcntl.h>

#include <memory>

#include "archive/identity.h"
#include "archive/object.h"
#include "base/worker_pool.h"
#include "io/buffer.h"
#include "pipeline/file_loader.h"
#include "pipeline/frame_jobs.h"
#include "wal/history.h"
#include "wal/inspect.h"

namespace walpipe::pipeline {

namespace {

// Pieces written while frames are still compressing: large enough to keep syscalls few, small
// enough that little is left to write once the last frame is done.
constexpr size_t kPieceSize = 128 * 1024;

// A segment whose WAL stops early and cleanly (valid records, then zeros or an older segment's
// recycled pages), as PostgreSQL's current segment does: it is incomplete, not damaged.
bool ends_early(const wal::WalFileName& name, Bytes data) {
  if (name.kind != wal::FileKind::kSegment) return false;
  wal::InspectOptions open_end;
  open_end.open_end = true;
  wal::SegmentReport report = wal::inspect_segment(data, name.to_string(), open_end);
  return report.is_wal && report.valid() && report.end_of_wal.has_value();
}

std::string refusal_hint(const wal::WalFileName& name, Bytes data, bool is_wal) {
  if (!is_wal) return "";
  // Archiving it anyway would store an incomplete copy under the segment's name.
  if (ends_early(name, data))
    return "This segment is still being written, or was copied before it was complete: "
           "PostgreSQL hands it to archive_command once it is complete.";
  return "Check the file with \"walpipe verify\"; \"walpipe push --no-verify\" archives it "
         "anyway and records the failure.";
}

// Validates the content against its name; fills what the metadata records about it.
Status inspect_source(const wal::WalFileName& name, Bytes data, const std::string& path,
                      const PushOptions& options, archive::ObjectMetadata* meta,
                      std::optional<archive::Identity>* identity) {
  wal::SegmentReport report;
  if (name.kind == wal::FileKind::kHistory) {
    wal::parse_history(data, name.tli, name.to_string(), &report);
  } else if (name.kind == wal::FileKind::kBackup) {
    wal::parse_backup_history(data, name.to_string(), 0, &report);
  } else {
    report = wal::inspect_segment(data, name.to_string());
    if (report.is_wal)
      *identity =
          archive::Identity{report.system_id, report.magic, report.segment_size, report.page_size};
    archive::fill_from_report(report, meta);
  }
  const wal::Finding* error = report.first_error();
  if (error == nullptr) return Status::ok();
  // A file that is not WAL of any cluster can never be restored usefully.
  if (!options.verify && (report.is_wal || name.kind == wal::FileKind::kHistory ||
                          name.kind == wal::FileKind::kBackup)) {
    meta->flags |= archive::kFlagFailedVerification;
    meta->validation_error = error->message;
    return Status::ok();
  }
  return Status(Code::kCorruption, "refusing to archive \"" + path + "\": " + error->message)
      .with_detail("at file offset " + std::to_string(error->offset) + " (" + error->code + ")")
      .with_hint(refusal_hint(name, data, report.is_wal));
}

// The archive side of a push that needs no object yet: the file's cluster against the archive's
// identity (another cluster is refused before anything is created), what the store prepares,
// and the identity of a new archive. It runs while the frames are being compressed.
Status prepare_archive(archive::Store& store, const wal::WalFileName& name,
                       const std::optional<archive::Identity>& identity) {
  bool identity_present = true;
  if (identity) {
    WALPIPE_ASSIGN_OR_RETURN(bool present, archive::check_identity(store, *identity));
    identity_present = present;
  }
  WALPIPE_TRY(store.prepare(name));
  if (!identity_present) WALPIPE_TRY(store.create_identity(*identity));
  return Status::ok();
}

}  // namespace

Result<io::MappedFile> read_source(io::Io& io, const std::string& path,
                                   const wal::WalFileName& name) {
  const bool text = name.kind == wal::FileKind::kHistory || name.kind == wal::FileKind::kBackup;
  const uint64_t limit = text ? kMaxTextFileSize : kMaxSegmentFileSize;
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io.open(path, O_RDONLY, 0));
  WALPIPE_ASSIGN_OR_RETURN(uint64_t size, io::file_size(fd, path));
  if (size > limit)
    return Status(Code::kCorruption, "file \"" + path + "\" is too large to be a WAL file (" +
                                         std::to_string(size) + " bytes)");
  return io.map_read(fd, size, path);
}

Result<std::unique_ptr<FilePush>> FilePush::start(io::Io& io, archive::Store& store,
                                                  const std::string& source,
                                                  const PushOptions& options) {
  Result<wal::WalFileName> name = wal::parse_file_name(io::base_name(source));
  if (!name.is_ok()) return std::move(name).take_status();
  Result<io::MappedFile> mapped = read_source(io, source, *name);
  if (!mapped.is_ok()) {
    // archive_command runs in the data directory, where the bare name (%f) is no file.
    if (mapped.status().code() == Code::kNotFound && source.find('/') == std::string::npos)
      return std::move(mapped).take_status().with_hint(
          "archive_command must pass %p, the path of the file to archive (pg_wal/" + source +
          "), not %f, its name alone.");
    return std::move(mapped).take_status();
  }

  auto push = std::unique_ptr<FilePush>(new FilePush(store, options));
  push->source_path_ = source;
  push->name_ = *name;
  push->source_ = std::move(*mapped);
  const Bytes data = push->source_.bytes();
  archive::ObjectMetadata& meta = push->meta_;
  meta.name = name->to_string();
  meta.original_size = data.size();
  meta.frame_input_size = options.frame_input_size;

  // Identical content already archived (a retry, a standby with archive_mode=always) was
  // verified when it was first pushed: confirm it is durable and stop there. Different content
  // under this name is refused, whatever this file holds. Most pushes are of new files: for
  // them the fingerprint is taken alongside compression instead of before it.
  WALPIPE_ASSIGN_OR_RETURN(bool archived, store.contains(*name));
  if (archived) {
    meta.fingerprint = fingerprint_of(data);
    Result<archive::CommitOutcome> existing = store.confirm(*name, meta.fingerprint);
    Result<archive::ObjectMetadata> theirs = Status(Code::kNotFound, "");
    if (!existing.is_ok() && existing.status().code() == Code::kMismatch) {
      theirs = store.head(*name);
      // Another pusher may have superseded the object between the two reads: what the name
      // holds now decides (and words the refusal).
      if (theirs.is_ok() && (theirs->fingerprint == meta.fingerprint ||
                             !(theirs->flags & archive::kFlagFailedVerification)))
        existing = store.confirm(*name, meta.fingerprint);
    }
    if (existing.is_ok()) {
      push->already_archived_ = PushResult{meta.name, archive::CommitOutcome::kAlreadyPresent,
                                           meta.fingerprint, meta.original_size, 0};
      return push;
    }
    if (existing.status().code() == Code::kMismatch) {
      if (!theirs.is_ok() || !(theirs->flags & archive::kFlagFailedVerification))
        return std::move(existing).take_status();
      push->replaces_unverified_ = std::move(existing).take_status();
    } else if (existing.status().code() != Code::kNotFound) {
      // kNotFound: gone since it was seen (expired); pushed again as if never there.
      return std::move(existing).take_status();
    }
  }
  return push;
}

void FilePush::compress(CompressorPool& pool, io::AlignedBuffer buffer) {
  WALPIPE_CHECK(!already_archived_ && compression_ == nullptr);
  const Bytes data = source_.bytes();
  const size_t frame_count = (data.size() + meta_.frame_input_size - 1) / meta_.frame_input_size;
  head_ = archive::data_offset(frame_count);
  compression_ = std::make_unique<FrameCompression>(data, meta_.frame_input_size, pool, head_,
                                                    std::move(buffer));
}

FilePush::FilePush(archive::Store& store, const PushOptions& options)
    : store_(store), options_(options) {}

FilePush::~FilePush() = default;

Status FilePush::stream() {
  WALPIPE_CHECK(compression_ != nullptr);
  // While the frames compress (and their input is fingerprinted), this thread inspects the file
  // and gets the archive's folders ready, then writes the frames out as they fall into place.
  const Bytes data = source_.bytes();
  std::optional<archive::Identity> identity;
  WALPIPE_TRY(inspect_source(name_, data, source_path_, options_, &meta_, &identity));
  if (replaces_unverified_ && (meta_.flags & archive::kFlagFailedVerification))
    return *replaces_unverified_;
  WALPIPE_TRY(prepare_archive(store_, name_, identity));
  WALPIPE_ASSIGN_OR_RETURN(std::unique_ptr<archive::ObjectUpload> upload, store_.begin_put(name_));
  upload_ = std::move(upload);
  written_ = head_;
  for (;;) {
    const size_t wanted = written_ + kPieceSize;
    const size_t placed = compression_->wait_until_placed(wanted);
    const size_t end = placed / archive::kObjectAlignment * archive::kObjectAlignment;
    if (end > written_) {
      Bytes piece(compression_->buffer().data() + written_, end - written_);
      WALPIPE_TRY(upload_->write_early(written_, piece));
      written_ = end;
    }
    if (placed < wanted) break;  // a short wait means compression has ended
  }
  WALPIPE_ASSIGN_OR_RETURN(std::vector<uint32_t> sizes, compression_->finish());
  meta_.frame_sizes = std::move(sizes);
  meta_.fingerprint = compression_->fingerprint();
  return Status::ok();
}

Result<PushResult> FilePush::finish(io::AlignedBuffer* spare) {
  WALPIPE_CHECK(upload_ != nullptr);
  // Unmapping a 16 MiB source is page-table work: it is done while the disk finishes the object.
  TaskGroup release;
  release.run([mapping = std::make_shared<io::MappedFile>(std::move(source_))] {
    io::MappedFile released = std::move(*mapping);
    return Status::ok();
  });
  io::AlignedBuffer& buffer = compression_->buffer();
  size_t frames_end = head_;
  for (uint32_t size : meta_.frame_sizes) frames_end += size;
  const size_t total = archive::write_padding(buffer.span(), frames_end);
  meta_.stored_fingerprint = fingerprint_of(Bytes(buffer.data() + head_, total - head_));
  archive::write_metadata_block(meta_, buffer.span().first(head_));
  Result<archive::CommitOutcome> outcome = upload_->commit(buffer.span().first(total), meta_);
  (void)release.wait();
  if (spare) *spare = std::move(buffer);
  if (!outcome.is_ok()) return std::move(outcome).take_status();
  PushResult result{meta_.name, *outcome, meta_.fingerprint, meta_.original_size, 0, ""};
  if (*outcome != archive::CommitOutcome::kAlreadyPresent) result.stored_size = total;
  result.superseded = upload_->superseded();
  return result;
}

namespace {

Result<PushResult> push_one(io::Io& io, archive::Store& store, const std::string& source,
                            const PushOptions& options) {
  // Declared first so that it goes last: a push that fails cancels its frames on a live pool.
  std::optional<CompressorPool> pool;
  WALPIPE_ASSIGN_OR_RETURN(std::unique_ptr<FilePush> push,
                           FilePush::start(io, store, source, options));
  if ((push)->already_archived()) return *(push)->already_archived();
  pool.emplace(options.threads, options.level);
  (push)->compress(*pool, io::AlignedBuffer());
  WALPIPE_TRY((push)->stream());
  return (push)->finish(nullptr);
}

}  // namespace

Result<PushResult> push_file(io::Io& io, archive::Store& store, const std::string& source,
                             const PushOptions& options) {
  Result<PushResult> pushed = push_one(io, store, source, options);
  if (pushed.is_ok()) return pushed;
  return store.explain(std::move(pushed).take_status());
}

}  // namespace walpipe::pipeline
