#include "pipeline/push.h"

#include <fcntl.h>

#include <thread>

#include "archive/identity.h"
#include "archive/object.h"
#include "io/buffer.h"
#include "pipeline/file_loader.h"
#include "pipeline/frame_jobs.h"
#include "wal/history.h"
#include "wal/inspect.h"

namespace walpipe::pipeline {

namespace {

// Far longer than any push takes, even on slow storage.
constexpr int64_t kStaleTemporarySeconds = 3600;

Result<io::MappedFile> read_source(io::Io& io, const std::string& path, uint64_t limit) {
  Result<io::Fd> fd = io.open(path, O_RDONLY, 0);
  if (!fd.is_ok()) return std::move(fd).take_status();
  Result<uint64_t> size = io::file_size(*fd, path);
  if (!size.is_ok()) return std::move(size).take_status();
  if (*size > limit)
    return Status(Code::kCorruption, "file \"" + path + "\" is too large to be a WAL file (" +
                                         std::to_string(*size) + " bytes)");
  return io.map_read(*fd, *size, path);
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
      .with_hint(report.is_wal ? "Check the file with \"walpipe verify\"; \"walpipe push "
                                 "--no-verify\" archives it anyway and records the failure."
                               : "");
}

// The archive side of a push that needs no object yet: the file's cluster against walpipe.json
// (another cluster is refused before anything is created), the folders, stale temporaries, and
// the identity of a new archive. It runs while the object is being compressed.
Status prepare_archive(io::Io& io, const archive::Layout& layout, const wal::WalFileName& name,
                       const std::optional<archive::Identity>& identity) {
  bool identity_present = true;
  if (identity) {
    Result<bool> present = archive::check_identity(io, layout, *identity);
    if (!present.is_ok()) return std::move(present).take_status();
    identity_present = *present;
  }
  WALPIPE_TRY(archive::prepare_directories(io, layout, name));
  archive::sweep_stale_temporaries(io, layout, kStaleTemporarySeconds);
  if (!identity_present) WALPIPE_TRY(archive::check_or_create_identity(io, layout, *identity));
  return Status::ok();
}

}  // namespace

Result<PreparedPush> prepare_push(io::Io& io, const archive::Layout& layout,
                                  const std::string& source, const PushOptions& options,
                                  io::AlignedBuffer reuse) {
  Result<wal::WalFileName> name = wal::parse_file_name(io::base_name(source));
  if (!name.is_ok()) return std::move(name).take_status();
  const bool text = name->kind == wal::FileKind::kHistory || name->kind == wal::FileKind::kBackup;

  Result<io::MappedFile> mapped =
      read_source(io, source, text ? kMaxTextFileSize : kMaxSegmentFileSize);
  if (!mapped.is_ok()) return std::move(mapped).take_status();
  const Bytes data = mapped->bytes();
  PreparedPush prepared;
  prepared.source = std::move(*mapped);  // the view stays valid: the mapping only changes owner
  prepared.name = *name;
  archive::ObjectMetadata& meta = prepared.meta;
  meta.name = name->to_string();
  meta.original_size = data.size();

  // Identical content already archived (a retry, a standby with archive_mode=always) was
  // verified when it was first pushed: confirm it is durable and stop there. Different content
  // under this name is refused, whatever this file holds. Most pushes are of new files: for
  // them the fingerprint is taken alongside compression instead of before it.
  Result<bool> archived = archive::object_present(io, layout, *name);
  if (!archived.is_ok()) return std::move(archived).take_status();
  if (*archived) {
    meta.fingerprint = fingerprint_of(data);
    Result<archive::CommitOutcome> existing =
        archive::confirm_existing(io, layout, *name, meta.fingerprint);
    if (existing.is_ok()) {
      prepared.already_present = true;
      return prepared;
    }
    // Gone since it was seen (expired): push it again, as if it had never been there.
    if (existing.status().code() != Code::kNotFound) return std::move(existing).take_status();
  }

  // Fingerprint, inspection and the archive's folders are done alongside compression: this
  // thread does them, then joins the compressors.
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  meta.frame_input_size = options.frame_input_size;
  Status inspected;
  auto beside_compression = [&] {
    if (!*archived) meta.fingerprint = fingerprint_of(data);
    inspected = inspect_source(*name, data, source, options, &meta, &prepared.identity);
    if (inspected.is_ok()) inspected = prepare_archive(io, layout, *name, prepared.identity);
  };
  auto frames =
      compress_frames(data, options.frame_input_size, options.level, threads,
                      archive::kMaxMetadataFrameSize, beside_compression, std::move(reuse));
  WALPIPE_TRY(inspected);
  if (!frames.is_ok()) return std::move(frames).take_status();
  for (Bytes f : frames->frames) meta.frame_sizes.push_back(static_cast<uint32_t>(f.size()));
  // The object is laid out where the frames were compressed: no second copy of them.
  prepared.object = std::move(frames->buffer);
  size_t size = archive::assemble_object(meta, frames->frames, prepared.object.span());
  prepared.object.resize(size);
  return prepared;
}

Result<PushResult> commit_push(io::Io& io, const archive::Layout& layout,
                               const PreparedPush& prepared) {
  const archive::ObjectMetadata& meta = prepared.meta;
  PushResult result{meta.name, archive::CommitOutcome::kAlreadyPresent, meta.fingerprint,
                    meta.original_size, 0};
  if (prepared.already_present) return result;
  Result<archive::CommitOutcome> outcome =
      archive::commit_object(io, layout, prepared.name, prepared.object.span(), meta.fingerprint);
  if (!outcome.is_ok()) return std::move(outcome).take_status();
  result.outcome = *outcome;
  if (*outcome == archive::CommitOutcome::kWritten) result.stored_size = prepared.object.size();
  return result;
}

Result<PushResult> push_file(io::Io& io, const archive::Layout& layout, const std::string& source,
                             const PushOptions& options) {
  Result<PreparedPush> prepared = prepare_push(io, layout, source, options);
  if (!prepared.is_ok()) return std::move(prepared).take_status();
  // Unmapping a 16 MiB source is a millisecond of page-table work: it is done while the commit
  // waits for the disk.
  std::thread release([mapping = std::move(prepared->source)]() mutable {
    io::MappedFile released = std::move(mapping);
  });
  Result<PushResult> result = commit_push(io, layout, *prepared);
  release.join();
  return result;
}

}  // namespace walpipe::pipeline
