#include "archive/local/commit.h"

#include <fcntl.h>

#include <utility>
#include <vector>

#include "archive/local/durable.h"
#include "archive/local/owner.h"
#include "archive/local/supersede.h"
#include "archive/object.h"
#include "codec/zstd_frames.h"

namespace walpipe::archive {

namespace {

// The first lines of a refusal to store different content under a taken name.
Status different_content(const wal::WalFileName& name, const std::string& path,
                         const ObjectMetadata& theirs, const Fingerprint& mine) {
  std::string detail = "archived XXH3-128 " + theirs.fingerprint.hex() + ", new file XXH3-128 " +
                       mine.hex() + "; the archived object was left untouched";
  if (!(theirs.flags & kFlagFailedVerification))
    return Status(Code::kMismatch, "archive already holds a different \"" + name.to_string() + "\"")
        .with_detail(std::move(detail))
        .with_hint(
            "Two clusters may be archiving into one directory, or this file was changed "
            "after it was archived.");
  return Status(Code::kMismatch, "archive already holds a different \"" + name.to_string() +
                                     "\", stored with --no-verify")
      .with_detail(detail + "; \"" + path +
                   "\" failed validation when it was archived: " + theirs.validation_error)
      .with_hint(
          "A copy that passes validation supersedes it, the old object being kept in the "
          "archive's superseded/ folder: push this file without --no-verify once it is complete "
          "and valid.");
}

}  // namespace

Result<ObjectMetadata> read_object_metadata(io::Io& io, const std::string& path) {
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io.open(path, O_RDONLY, 0));
  std::vector<std::byte> head(zstd::kSkippableHeaderSize);
  WALPIPE_ASSIGN_OR_RETURN(uint64_t size, io::file_size(fd, path));
  if (size < head.size())
    return Status(Code::kCorruption, "archive object \"" + path + "\" is truncated");
  WALPIPE_TRY(io.read_exact(fd, 0, head, path));
  uint32_t payload = load_le<uint32_t>(head.data() + 4);
  if (payload > kMaxMetadataSize || head.size() + payload > size)
    return Status(Code::kCorruption,
                  "archive object \"" + path + "\" has a damaged metadata frame");
  head.resize(head.size() + payload);
  WALPIPE_TRY(io.read_exact(fd, 0, head, path));
  Result<zstd::Skippable> frame = zstd::read_skippable(head);
  if (!frame.is_ok() || frame->magic_nibble != kMetadataMagicNibble)
    return Status(Code::kCorruption, "archive object \"" + path + "\" has no walpipe metadata");
  Result<ObjectMetadata> meta = decode_metadata(frame->payload);
  if (!meta.is_ok())
    return Status(Code::kCorruption,
                  "archive object \"" + path + "\" is corrupt: " + meta.status().message());
  return meta;
}

Result<bool> object_present(io::Io& io, const Layout& layout, const wal::WalFileName& name) {
  const std::string path = layout.object_path(name);
  Result<io::Fd> fd = io.open(path, O_RDONLY, 0);
  if (!fd.is_ok()) {
    if (fd.status().code() == Code::kNotFound) return false;
    return std::move(fd).take_status();
  }
  WALPIPE_TRY(io.close(*fd, path));
  return true;
}

Result<CommitOutcome> confirm_existing(io::Io& io, const Layout& layout,
                                       const wal::WalFileName& name, const Fingerprint& mine) {
  const std::string path = layout.object_path(name);
  WALPIPE_ASSIGN_OR_RETURN(ObjectMetadata theirs, read_object_metadata(io, path));
  if (theirs.fingerprint != mine) return different_content(name, path, theirs, mine);
  // It may be a leftover of a crash between rename and folder fsync: make it durable first.
  WALPIPE_TRY(fsync_path(io, path, O_RDONLY));
  WALPIPE_TRY(sync_folders(io, layout, name));
  return CommitOutcome::kAlreadyPresent;
}

Status prepare_directories(io::Io& io, const Layout& layout, const wal::WalFileName& name) {
  Result<io::EntryType> root = io::entry_type(layout.root());
  if (!root.is_ok() && root.status().code() != Code::kNotFound)
    return std::move(root).take_status();  // there, but out of reach (permissions)
  if (!root.is_ok() || *root != io::EntryType::kDirectory)
    return Status(Code::kNotFound, "archive directory \"" + layout.root() + "\" does not exist")
        .with_hint(
            "Create it (mkdir -m 700) and make it writable by the PostgreSQL server's user.");
  WALPIPE_ASSIGN_OR_RETURN(std::optional<Owner> owner, foreign_owner(layout));
  WALPIPE_TRY(make_dir(io, layout.wal_dir(), layout.root(), owner));
  WALPIPE_TRY(make_dir(io, layout.tmp_dir(), layout.root(), owner));
  if (layout.object_dir(name) != layout.wal_dir())
    WALPIPE_TRY(make_dir(io, layout.object_dir(name), layout.wal_dir(), owner));
  return Status::ok();
}

size_t sweep_stale_temporaries(io::Io& io, const Layout& layout, int64_t max_age_seconds) {
  Result<std::vector<io::DirEntry>> entries = io::list_directory(layout.tmp_dir());
  if (!entries.is_ok()) return 0;
  size_t removed = 0;
  for (const io::DirEntry& e : *entries) {
    // A lock file's age says nothing about its owner (a worker writes its plan there only when
    // it moves on): lock files are never swept.
    if (e.type != io::EntryType::kFile || e.name.ends_with(".lock")) continue;
    const std::string path = layout.tmp_dir() + "/" + e.name;
    Result<int64_t> age = io::seconds_since_modified(path);
    if (age.is_ok() && *age >= max_age_seconds && io.unlink(path).is_ok()) ++removed;
  }
  return removed;
}

Result<io::Fd> ObjectWriter::open_temporary(const std::string& tmp, io::Io& io,
                                            const Layout& layout, int flags) {
  WALPIPE_ASSIGN_OR_RETURN(std::optional<Owner> owner, foreign_owner(layout));
  Result<io::Fd> fd = io.open(tmp, flags | O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!fd.is_ok()) return fd;
  Status given = give_to(owner, *fd, tmp);
  if (given.is_ok()) return fd;
  (void)io.close(*fd, tmp);
  (void)io.unlink(tmp);
  return given;
}

Result<ObjectWriter> ObjectWriter::begin(io::Io& io, const Layout& layout,
                                         const wal::WalFileName& name) {
  std::string tmp = layout.temp_path(name.to_string());
  Result<io::Fd> fd = open_temporary(tmp, io, layout, O_DIRECT);
  bool direct = fd.is_ok();
  if (!fd.is_ok() && fd.status().code() == Code::kUnsupported) {
    // tmpfs and some FUSE/NFS mounts refuse O_DIRECT: buffered writes plus fdatasync are as
    // durable, only slower.
    fd = open_temporary(tmp, io, layout, 0);
  }
  if (!fd.is_ok()) return std::move(fd).take_status();
  return ObjectWriter(io, layout, name, std::move(tmp), std::move(*fd), direct);
}

ObjectWriter::ObjectWriter(io::Io& io, const Layout& layout, const wal::WalFileName& name,
                           std::string tmp, io::Fd fd, bool direct)
    : io_(&io),
      layout_(&layout),
      name_(name),
      tmp_(std::move(tmp)),
      fd_(std::move(fd)),
      direct_(direct) {}

ObjectWriter::ObjectWriter(ObjectWriter&& other) noexcept
    : io_(other.io_),
      layout_(other.layout_),
      name_(other.name_),
      tmp_(std::move(other.tmp_)),
      fd_(std::move(other.fd_)),
      direct_(other.direct_),
      written_(other.written_),
      done_(std::exchange(other.done_, true)),
      superseded_path_(std::move(other.superseded_path_)) {}

ObjectWriter::~ObjectWriter() { abandon(); }

void ObjectWriter::abandon() {
  if (done_) return;
  done_ = true;
  // The first error is the one reported; a temporary file left behind is swept later.
  if (fd_.valid()) (void)io_->close(fd_, tmp_);
  (void)io_->unlink(tmp_);
}

Status ObjectWriter::reopen_buffered() {
  // Some filesystems accept O_DIRECT at open and refuse the write itself (EINVAL). Nothing was
  // written yet: start the file again without it.
  WALPIPE_TRY(io_->close(fd_, tmp_));
  WALPIPE_TRY(io_->unlink(tmp_));
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, open_temporary(tmp_, *io_, *layout_, 0));
  fd_ = std::move(fd);
  direct_ = false;
  return Status::ok();
}

Status ObjectWriter::write_piece(uint64_t offset, Bytes piece, bool then_sync) {
  auto once = [&] {
    return then_sync ? io_->write_durably(fd_, offset, piece, tmp_)
                     : io_->write_at(fd_, offset, piece, tmp_);
  };
  Status s = once();
  if (s.code() == Code::kUnsupported && direct_ && !written_) {
    WALPIPE_TRY(reopen_buffered());
    s = once();
  }
  // Refused after earlier pieces went through: the filesystem changed its mind, which is an I/O
  // failure to retry later, not a file to refuse.
  if (s.code() == Code::kUnsupported) return Status(Code::kIoError, s.message());
  if (s.is_ok()) written_ = true;
  return s;
}

Status ObjectWriter::write(uint64_t offset, Bytes piece) {
  WALPIPE_CHECK(!done_);
  Status s = write_piece(offset, piece, false);
  if (!s.is_ok()) abandon();
  return s;
}

Result<CommitOutcome> ObjectWriter::commit(uint64_t offset, Bytes last_piece,
                                           const ObjectMetadata& meta) {
  WALPIPE_CHECK(!done_);
  Status s = write_piece(offset, last_piece, true);
  if (s.is_ok()) s = io_->close(fd_, tmp_);
  if (s.is_ok()) s = io_->rename_noreplace(tmp_, layout_->object_path(name_));
  if (s.is_ok()) {
    done_ = true;
    WALPIPE_TRY(sync_folders(*io_, *layout_, name_));
    return CommitOutcome::kWritten;
  }
  // The name is taken: by another pusher that won the race, or by an earlier push.
  if (s.code() != Code::kMismatch || (meta.flags & kFlagFailedVerification)) {
    abandon();
    if (s.code() != Code::kMismatch) return s;
    return confirm_existing(*io_, *layout_, name_, meta.fingerprint);
  }
  Result<Supersession> superseded = supersede(*io_, *layout_, name_, tmp_, meta.fingerprint);
  if (!superseded.is_ok() || superseded->outcome != CommitOutcome::kSuperseded) {
    abandon();  // after a rename that went through, there is nothing left to remove
    if (!superseded.is_ok()) return std::move(superseded).take_status();
    return superseded->outcome;
  }
  done_ = true;
  superseded_path_ = std::move(superseded->aside);
  return CommitOutcome::kSuperseded;
}

}  // namespace walpipe::archive
