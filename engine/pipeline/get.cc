#include "pipeline/get.h"

#include <fcntl.h>

#include <thread>

#include "archive/object.h"
#include "codec/fingerprint.h"
#include "io/buffer.h"
#include "pipeline/file_loader.h"
#include "pipeline/frame_jobs.h"
#include "wal/inspect.h"
#include "wal/names.h"

namespace walpipe::pipeline {

namespace {

// An object is its metadata, frames that compress at worst slightly above their input, and
// padding; anything far larger than the biggest legal segment is not ours.
constexpr uint64_t kMaxObjectSize = kMaxSegmentFileSize + (kMaxSegmentFileSize >> 4);

Status corrupt(const std::string& path, const std::string& why) {
  return Status(Code::kCorruption, "archive object \"" + path + "\" cannot be restored: " + why);
}

Status check_content(const wal::WalFileName& name, const archive::ObjectMetadata& meta, Bytes data,
                     const std::string& path) {
  if (fingerprint_of(data) != meta.fingerprint)
    return corrupt(path,
                   "its content does not match the recorded XXH3-128 " + meta.fingerprint.hex());
  if (name.kind == wal::FileKind::kHistory || name.kind == wal::FileKind::kBackup)
    return Status::ok();
  // The bytes must be the WAL the name promises (page addresses, records), not merely intact.
  wal::SegmentReport report = wal::inspect_segment(data, name.to_string());
  const wal::Finding* error = report.first_error();
  bool flagged = (meta.flags & archive::kFlagFailedVerification) != 0;
  if (error && (!flagged || !report.is_wal || std::string(error->code) == "PAGEADDR_MISMATCH"))
    return corrupt(path, error->message);
  return Status::ok();
}

Status write_dest(io::Io& io, const std::string& dest, Bytes data) {
  Result<io::Fd> fd = io.open(dest, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!fd.is_ok()) return std::move(fd).take_status();
  // The umask may have widened a new file's mode, or DEST existed: WAL is private.
  WALPIPE_TRY(io.set_mode(*fd, 0600, dest));
  // PostgreSQL fetches the file again after a crash, so DEST needs no fsync of its own.
  WALPIPE_TRY(io.write_all(*fd, data, dest));
  return io.close(*fd, dest);
}

}  // namespace

Result<GetResult> get_file(io::Io& io, const archive::Layout& layout, const std::string& name_text,
                           const std::string& dest, const GetOptions& options) {
  Result<wal::WalFileName> name = wal::parse_file_name(name_text);
  if (!name.is_ok()) return std::move(name).take_status();
  Result<io::EntryType> root = io::entry_type(layout.root());
  if (!root.is_ok() || *root != io::EntryType::kDirectory)
    return Status(Code::kIoError, "archive directory \"" + layout.root() + "\" is not accessible")
        .with_hint(
            "Recovery stops here rather than ending early: fix the archive path and restart.");

  const std::string path = layout.object_path(*name);
  Result<io::Fd> fd = io.open(path, O_RDONLY, 0);
  if (!fd.is_ok()) return std::move(fd).take_status();  // kNotFound: absent from the archive
  Result<uint64_t> size = io::file_size(*fd, path);
  if (!size.is_ok()) return std::move(size).take_status();
  if (*size > kMaxObjectSize) return corrupt(path, "it is too large");
  io::AlignedBuffer stored(*size);
  WALPIPE_TRY(io.read_exact(*fd, 0, stored.span(), path));

  Result<archive::ParsedObject> parsed = archive::parse_object(stored.span(), path);
  if (!parsed.is_ok()) return std::move(parsed).take_status();
  const archive::ObjectMetadata& meta = parsed->meta;
  if (meta.name != name->to_string())
    return corrupt(path, "it holds \"" + meta.name + "\", not the requested file");
  const bool text = name->kind == wal::FileKind::kHistory || name->kind == wal::FileKind::kBackup;
  uint64_t limit = text ? kMaxTextFileSize : kMaxSegmentFileSize;
  if (meta.original_size > limit) return corrupt(path, "its recorded size is impossible");

  io::AlignedBuffer data(meta.original_size);
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  Status decoded = decompress_frames(parsed->frames, meta.frame_input_size, data.span(), threads);
  if (!decoded.is_ok()) return corrupt(path, decoded.message());
  WALPIPE_TRY(check_content(*name, meta, data.span(), path));

  Status written = write_dest(io, dest, data.span());
  if (!written.is_ok()) {
    Status cleanup = io.unlink(dest);
    (void)cleanup;  // the write error is what the operator needs
    return written;
  }
  return GetResult{meta.original_size, *size};
}

}  // namespace walpipe::pipeline
