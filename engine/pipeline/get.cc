#include "pipeline/get.h"

#include <fcntl.h>

#include <optional>
#include <vector>

#include "archive/identity.h"
#include "archive/object.h"
#include "base/mutex.h"
#include "base/worker_pool.h"
#include "pipeline/file_loader.h"
#include "pipeline/object_reader.h"
#include "wal/names.h"
#include "wal/pg_control.h"

namespace walpipe::pipeline {

namespace {

Status corrupt(const std::string& path, const std::string& why) {
  return Status(Code::kCorruption, "archive object \"" + path + "\" cannot be restored: " + why);
}

// Frames are decompressed on every core, each into its worker's small scratch buffer and written
// at its place in DEST; the result is then checked through a read-only mapping of DEST's page
// cache. No segment-sized buffer is ever allocated, and DEST is removed by the caller unless
// every check passed.
Status restore(io::Io& io, const std::string& dest, const wal::WalFileName& name,
               const ObjectReader& reader, unsigned threads, std::optional<uint64_t> system_id) {
  const archive::ObjectMetadata& meta = reader.meta();
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io.open(dest, O_RDWR | O_CREAT | O_TRUNC, 0600));
  // The umask may have widened a new file's mode, or DEST existed: WAL is private.
  WALPIPE_TRY(io.set_mode(fd, 0600, dest));
  WALPIPE_TRY(io.reserve(fd, meta.original_size, dest));
  // An Io serves one caller at a time, and writers of one file take turns on its inode lock
  // anyway: waiting here sleeps instead of spinning in the kernel.
  Mutex write_turn;
  Status decoded = reader.decode_each(threads, [&](size_t i, Bytes frame) {
    MutexLock turn(write_turn);
    return io.write_at(fd, static_cast<uint64_t>(i) * meta.frame_input_size, frame, dest);
  });
  if (decoded.code() == Code::kCorruption) return corrupt(reader.path(), decoded.message());
  WALPIPE_TRY(decoded);
  {
    WALPIPE_ASSIGN_OR_RETURN(io::MappedFile written, io.map_read(fd, meta.original_size, dest));
    Status checked = reader.check_restorable(name, written.bytes(), system_id);
    if (!checked.is_ok()) return corrupt(reader.path(), checked.message());
  }
  // PostgreSQL fetches the file again after a crash, so DEST needs no fsync of its own.
  return io.close(fd, dest);
}

}  // namespace

Result<GetResult> get_file(io::Io& io, archive::Store& store, const std::string& name_text,
                           const std::string& dest, const GetOptions& options) {
  WALPIPE_ASSIGN_OR_RETURN(wal::WalFileName name, wal::parse_file_name(name_text));
  Status reachable = store.check_reachable();
  if (!reachable.is_ok())
    return Status(Code::kIoError, "archive \"" + store.location() + "\" is not accessible")
        .with_detail(reachable.message())
        .with_hint(
            "Recovery stops here rather than ending early: fix the archive path and restart.");

  const std::string path = store.object_location(name);
  Result<archive::StoredObject> stored = store.read(name, kMaxObjectFileSize);
  if (!stored.is_ok()) {
    if (stored.status().code() == Code::kCorruption)
      return corrupt(path, stored.status().message());
    if (stored.status().code() != Code::kNotFound) return std::move(stored).take_status();
    // Absent only if this is an archive at all: an empty folder is an unmounted or wrong path.
    Result<bool> archive = store.holds_archive();
    if (!archive.is_ok()) return Status(Code::kIoError, archive.status().message());
    if (!*archive)
      return Status(Code::kIoError, "\"" + store.location() + "\" holds no walpipe archive")
          .with_hint("Is the archive mounted? Recovery stops here rather than ending early.");
    return std::move(stored).take_status();  // kNotFound: the one confirmed absence
  }
  const uint64_t stored_size = stored->bytes().size();

  WALPIPE_ASSIGN_OR_RETURN(ObjectReader reader, ObjectReader::parse(stored->bytes(), path));
  const archive::ObjectMetadata& meta = reader.meta();
  if (meta.name != name.to_string())
    return corrupt(path, "it holds \"" + meta.name + "\", not the requested file");
  const bool text = name.kind == wal::FileKind::kHistory || name.kind == wal::FileKind::kBackup;
  uint64_t limit = text ? kMaxTextFileSize : kMaxSegmentFileSize;
  if (meta.original_size > limit) return corrupt(path, "its recorded size is impossible");
  std::optional<uint64_t> system_id;
  if (!text) {
    // Nothing larger than one segment of this archive's cluster is ever written to DEST.
    WALPIPE_ASSIGN_OR_RETURN(std::optional<archive::Identity> identity, store.load_identity());
    if (identity && meta.original_size != (identity)->segment_size)
      return corrupt(path, "it records " + std::to_string(meta.original_size) +
                               " bytes, but the archive's segments have " +
                               std::to_string((identity)->segment_size));
    if (identity) system_id = (identity)->system_id;
  }

  unsigned threads = options.threads ? options.threads : WorkerPool::shared().threads();
  Status restored = restore(io, dest, name, reader, threads, system_id);
  // From here on a missing file (DEST's folder, say) is an I/O error, never "not in archive".
  if (restored.code() == Code::kNotFound) restored = Status(Code::kIoError, restored.message());
  if (!restored.is_ok()) {
    Status cleanup = io.unlink(dest);
    (void)cleanup;  // the first error is what the operator needs
    return restored;
  }
  return GetResult{meta.original_size, stored_size, meta.fingerprint, reader.damage()};
}

namespace {

// A running server rewrites pg_control in place (8192 bytes, one write) at every checkpoint and,
// during recovery, as the minimum recovery point moves; a read racing such a write can see a mix
// of both, which fails the CRC. PostgreSQL's own tools read again in that case.
constexpr int kControlReadAttempts = 5;

Result<wal::PgControl> read_pg_control(const std::string& path) {
  Status last = Status::ok();
  for (int attempt = 0; attempt < kControlReadAttempts; ++attempt) {
    WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io::open_for_read(path));
    std::vector<std::byte> bytes(wal::kPgControlFileSize + 1);
    WALPIPE_ASSIGN_OR_RETURN(size_t n, io::read_some(fd, 0, bytes, path));
    Result<wal::PgControl> control = wal::parse_pg_control(Bytes(bytes.data(), n), path);
    if (control.is_ok() || control.status().code() != Code::kCorruption) return control;
    last = std::move(control).take_status();
  }
  return last;
}

Status same_system(const archive::Identity& identity, const std::string& location,
                   const wal::PgControl& control, const std::string& data_dir) {
  const uint64_t archived = identity.system_id;
  if (archived == control.system_id) return Status::ok();
  return Status(Code::kMismatch, "archive \"" + location +
                                     "\" holds the WAL of a different database system than "
                                     "data directory \"" +
                                     data_dir + "\"")
      .with_detail("The archive has system identifier " + std::to_string(archived) + "; \"" +
                   data_dir + "/global/pg_control\" has system identifier " +
                   std::to_string(control.system_id) + ".")
      .with_hint(
          "Nothing was restored. Point restore_command at the archive of the cluster this data "
          "directory was backed up from.");
}

}  // namespace

Status check_cluster(archive::Store& store, const std::string& data_dir, std::string* unchecked) {
  // pg_control first: without it nothing is compared, and the archive need not be asked.
  Result<wal::PgControl> control = read_pg_control(data_dir + "/global/pg_control");
  if (!control.is_ok()) {
    *unchecked = control.status().message();
    return Status::ok();
  }
  Result<std::optional<archive::Identity>> identity = store.load_identity();
  if (!identity.is_ok() || !*identity) {
    *unchecked = identity.is_ok() ? "archive \"" + store.location() + "\" has no identity yet"
                                  : identity.status().message();
    return Status::ok();
  }
  return same_system(**identity, store.location(), *control, data_dir);
}

Status check_cluster_with(const archive::Identity& identity, const std::string& location,
                          const std::string& data_dir, std::string* unchecked) {
  Result<wal::PgControl> control = read_pg_control(data_dir + "/global/pg_control");
  if (!control.is_ok()) {
    *unchecked = control.status().message();
    return Status::ok();
  }
  return same_system(identity, location, *control, data_dir);
}

}  // namespace walpipe::pipeline
