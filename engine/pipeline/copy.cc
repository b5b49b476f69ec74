#include "pipeline/copy.h"

#include <cstring>

#include "archive/walk.h"
#include "base/worker_pool.h"
#include "io/buffer.h"
#include "pipeline/file_loader.h"
#include "pipeline/object_reader.h"

namespace walpipe::pipeline {

namespace {

// A damaged object is the one thing that must not travel: the copy would carry the rot off-site.
Status check_object(const archive::Store& from, const archive::ObjectEntry& entry,
                    const ObjectReader& reader, uint64_t system_id, unsigned threads) {
  const std::string where = from.object_location(entry.name);
  if (!reader.damage().empty()) return Status(Code::kCorruption, reader.damage());
  if (reader.meta().name != entry.name.to_string())
    return Status(Code::kCorruption,
                  "archive object \"" + where + "\" holds \"" + reader.meta().name + "\"");
  std::vector<std::byte> content(reader.meta().original_size);
  Status checked = reader.decode_into(content, threads);
  if (checked.is_ok()) {
    checked = entry.name.kind == wal::FileKind::kSegment
                  ? reader.check_restorable(entry.name, content, system_id)
                  : reader.check_fingerprint(content);
  }
  if (!checked.is_ok())
    return Status(Code::kCorruption,
                  "archive object \"" + where + "\" is damaged: " + checked.message());
  return Status::ok();
}

}  // namespace

Result<CopyReport> copy_archive(archive::Store& from, archive::Store& to,
                                const CopyOptions& options) {
  WALPIPE_ASSIGN_OR_RETURN(std::optional<archive::Identity> identity, from.load_identity());
  if (!identity)
    return Status(Code::kNotFound, "\"" + from.location() + "\" holds no walpipe archive")
        .with_hint("Give the archive to copy from first, then the new one.");
  // TO is encrypted or not by its own store (which records that when it writes the identity),
  // whatever FROM is.
  (identity)->encryption.reset();
  // Checked before anything is read; written with the first object, once the store is prepared.
  WALPIPE_ASSIGN_OR_RETURN(bool same, archive::check_identity(to, *identity));
  bool identity_written = same;
  const unsigned threads = options.threads != 0 ? options.threads : WorkerPool::shared().threads();

  CopyReport report;
  io::AlignedBuffer aligned;
  Status walked = archive::for_each_object(from, [&](const archive::ObjectEntry& entry) -> Status {
    CopyEvent event{&entry, CopyStep::kCopied, Status::ok(), 0};
    auto tell = [&](CopyStep step, Status why) {
      event.step = step;
      event.why = std::move(why);
      event.done = report.copied + report.already_there + report.refused;
      if (options.on_object) options.on_object(event);
      return Status::ok();
    };
    Result<archive::StoredObject> stored = from.read(entry.name, kMaxObjectFileSize);
    if (!stored.is_ok()) {
      if (stored.status().code() != Code::kCorruption) return stored.status();
      ++report.refused;
      return tell(CopyStep::kRefused, stored.status());
    }
    const Bytes bytes = stored->bytes();
    Result<ObjectReader> reader = ObjectReader::parse(bytes, from.object_location(entry.name));
    Status usable = reader.is_ok()
                        ? check_object(from, entry, *reader, (identity)->system_id, threads)
                        : reader.status();
    if (!usable.is_ok()) {
      ++report.refused;
      return tell(CopyStep::kRefused, usable);
    }
    Result<archive::CommitOutcome> present = to.confirm(entry.name, reader->meta().fingerprint);
    if (present.is_ok()) {
      ++report.already_there;
      return tell(CopyStep::kAlreadyThere, Status::ok());
    }
    if (present.status().code() == Code::kMismatch) {
      ++report.refused;
      return tell(CopyStep::kRefused, present.status());
    }
    if (present.status().code() != Code::kNotFound) return present.status();

    // A put takes an object aligned for O_DIRECT, as push builds them.
    aligned.resize(bytes.size());
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    WALPIPE_TRY(to.prepare(entry.name));
    if (!identity_written) {
      WALPIPE_TRY(to.create_identity(*identity));
      identity_written = true;
    }
    WALPIPE_ASSIGN_OR_RETURN(std::unique_ptr<archive::ObjectUpload> upload,
                             to.begin_put(entry.name));
    Result<archive::CommitOutcome> put = (upload)->commit(aligned.span(), reader->meta());
    if (!put.is_ok()) {
      if (put.status().code() != Code::kMismatch) return to.explain(put.status());
      ++report.refused;  // stored meanwhile by another writer, with other content
      return tell(CopyStep::kRefused, put.status());
    }
    if (*put == archive::CommitOutcome::kAlreadyPresent) {
      ++report.already_there;
      return tell(CopyStep::kAlreadyThere, Status::ok());
    }
    ++report.copied;
    report.bytes_copied += bytes.size();
    return tell(CopyStep::kCopied, Status::ok());
  });
  if (!walked.is_ok()) return walked;
  return report;
}

}  // namespace walpipe::pipeline
