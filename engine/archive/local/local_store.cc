#include "archive/local/local_store.h"

#include <fcntl.h>

#include <algorithm>

#include "archive/local/commit.h"
#include "archive/local/durable.h"
#include "archive/local/identity_file.h"
#include "archive/local/owner.h"
#include "io/fs.h"

namespace walpipe::archive {

namespace {

// Far longer than any push takes, even on slow storage: an older temporary file has no owner.
constexpr int64_t kStaleTemporarySeconds = 3600;
// A folder holds the segments of one 4 GiB stretch of WAL: 256 of 16 MiB, 4096 of 1 MiB. Each
// window reads the whole folder again, so a window smaller than the folder costs a listing of it
// per window; 4096 names (about 200 KiB) take any folder of 1 MiB segments or larger in one.
constexpr size_t kListWindow = 4096;
constexpr std::string_view kWalPrefix = "wal/";

bool is_hex16(std::string_view name) {
  if (name.size() != 16) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

std::optional<wal::WalFileName> object_name(std::string_view file_name, const std::string& suffix) {
  if (!file_name.ends_with(suffix)) return std::nullopt;
  Result<wal::WalFileName> name =
      wal::parse_file_name(file_name.substr(0, file_name.size() - suffix.size()));
  if (!name.is_ok()) return std::nullopt;
  return *name;
}

// An upload is an ObjectWriter's temporary file: the early pieces are the frames, written as
// they are compressed; the commit adds the metadata in front and the last piece, synced.
class LocalUpload final : public ObjectUpload {
 public:
  explicit LocalUpload(ObjectWriter writer) : writer_(std::move(writer)) {}

  Status write_early(uint64_t offset, Bytes piece) override {
    if (!any_early_) early_begin_ = early_end_ = offset;
    WALPIPE_CHECK(offset == early_end_);
    any_early_ = true;
    WALPIPE_TRY(writer_.write(offset, piece));
    early_end_ += piece.size();
    return Status::ok();
  }

  Result<CommitOutcome> commit(Bytes object, const ObjectMetadata& meta) override {
    if (!any_early_) return writer_.commit(0, object, meta);
    if (early_begin_ > 0) WALPIPE_TRY(writer_.write(0, object.first(early_begin_)));
    return writer_.commit(early_end_, object.subspan(early_end_), meta);
  }

  std::string superseded() const override { return writer_.superseded_path(); }

 private:
  ObjectWriter writer_;
  bool any_early_ = false;
  uint64_t early_begin_ = 0;
  uint64_t early_end_ = 0;
};

}  // namespace

LocalStore::LocalStore(io::Io& io, std::string root, Sealing sealing)
    : io_(io), layout_(std::move(root), sealing) {}

std::string LocalStore::object_location(const wal::WalFileName& name) const {
  return layout_.object_path(name);
}

std::unique_ptr<Store> LocalStore::open_again(io::Io& io) const {
  return std::make_unique<LocalStore>(io, layout_.root(), layout_.sealing());
}

Status LocalStore::check_reachable() {
  Result<io::EntryType> root = io::entry_type(layout_.root());
  if (!root.is_ok()) return Status(Code::kIoError, root.status().message());
  if (*root != io::EntryType::kDirectory)
    return Status(Code::kIoError, "archive \"" + layout_.root() + "\" is not a directory");
  return Status::ok();
}

Result<bool> LocalStore::holds_archive() {
  return io::entry_type(layout_.identity_path()).is_ok() ||
         io::entry_type(layout_.wal_dir()).is_ok();
}

Result<std::optional<Identity>> LocalStore::load_identity() {
  if (identity_) return identity_;
  Result<std::optional<Identity>> found = load_identity_file(io_, layout_);
  if (found.is_ok() && *found) identity_ = *found;
  return found;
}

Status LocalStore::create_identity(const Identity& mine) {
  return check_or_create_identity_file(io_, layout_, mine);
}

Status LocalStore::prepare(const wal::WalFileName& name) {
  WALPIPE_TRY(prepare_directories(io_, layout_, name));
  sweep_stale_temporaries(io_, layout_, kStaleTemporarySeconds);
  return Status::ok();
}

Result<bool> LocalStore::contains(const wal::WalFileName& name) {
  return object_present(io_, layout_, name);
}

Result<ObjectMetadata> LocalStore::head(const wal::WalFileName& name) {
  return read_object_metadata(io_, layout_.object_path(name));
}

Result<CommitOutcome> LocalStore::confirm(const wal::WalFileName& name, const Fingerprint& mine) {
  return confirm_existing(io_, layout_, name, mine);
}

Status LocalStore::make_durable(const wal::WalFileName& name) {
  WALPIPE_TRY(fsync_path(io_, layout_.object_path(name), O_RDONLY));
  return sync_folders(io_, layout_, name);
}

Result<StoredObject> LocalStore::read(const wal::WalFileName& name, uint64_t max_size) {
  const std::string path = layout_.object_path(name);
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io_.open(path, O_RDONLY, 0));
  WALPIPE_ASSIGN_OR_RETURN(uint64_t size, io::file_size(fd, path));
  if (size > max_size) return Status(Code::kCorruption, "it is too large");
  // Mapped, not read: no copy and no fresh memory for the object (objects are written once and
  // never truncated).
  WALPIPE_ASSIGN_OR_RETURN(io::MappedFile mapped, io_.map_read(fd, size, path));
  return StoredObject(std::move(mapped));
}

Result<std::vector<std::byte>> LocalStore::read_range(const wal::WalFileName& name, uint64_t offset,
                                                      uint64_t length) {
  const std::string path = layout_.object_path(name);
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io_.open(path, O_RDONLY, 0));
  WALPIPE_ASSIGN_OR_RETURN(uint64_t size, io::file_size(fd, path));
  std::vector<std::byte> bytes(offset >= size ? 0 : std::min(length, size - offset));
  WALPIPE_TRY(io_.read_exact(fd, offset, bytes, path));
  return bytes;
}

Result<std::unique_ptr<ObjectUpload>> LocalStore::begin_put(const wal::WalFileName& name) {
  WALPIPE_ASSIGN_OR_RETURN(ObjectWriter writer, ObjectWriter::begin(io_, layout_, name));
  return std::unique_ptr<ObjectUpload>(std::make_unique<LocalUpload>(std::move(writer)));
}

Result<std::vector<ObjectEntry>> LocalStore::list(std::string_view after_key, size_t limit) {
  std::vector<ObjectEntry> out;
  const std::string suffix = object_suffix(layout_.sealing());
  auto looks_like_object = [&](std::string_view file_name) {
    return object_name(file_name, suffix).has_value();
  };
  // An archive that has not archived anything yet has no wal/ folder: it is empty, not broken.
  Result<io::EntryType> wal_dir = io::entry_type(layout_.wal_dir());
  if (!wal_dir.is_ok() && wal_dir.status().code() == Code::kNotFound) return out;

  // Adds the object file `file_name` of wal/`folder` ("" for wal/ itself).
  auto add_object = [&](const std::string& folder, const std::string& file_name) -> Status {
    const std::string key =
        std::string(kWalPrefix) + (folder.empty() ? "" : folder + "/") + file_name;
    Result<uint64_t> size = io::size_at(layout_.root() + "/" + key);
    if (!size.is_ok() && size.status().code() == Code::kNotFound) return Status::ok();  // removed
    if (!size.is_ok()) return size.status();
    out.push_back(ObjectEntry{key, *object_name(file_name, suffix), *size});
    return Status::ok();
  };
  // Adds the objects of the folder wal/`folder` after `after`, up to `limit` in all.
  auto add_from = [&](const std::string& folder, std::string after) -> Status {
    const std::string dir = layout_.wal_dir() + "/" + folder;
    while (out.size() < limit) {
      const size_t want = limit - out.size();
      WALPIPE_ASSIGN_OR_RETURN(std::vector<io::DirEntry> window,
                               io::list_directory_window(dir, after, want, looks_like_object));
      for (const io::DirEntry& e : window)
        if (e.type == io::EntryType::kFile) WALPIPE_TRY(add_object(folder, e.name));
      if (window.size() < want) return Status::ok();
      after = window.back().name;
    }
    return Status::ok();
  };

  std::string top_after;
  if (after_key.starts_with(kWalPrefix)) {
    std::string_view rest = after_key.substr(kWalPrefix.size());
    const size_t slash = rest.find('/');
    top_after = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos)
      WALPIPE_TRY(add_from(top_after, std::string(rest.substr(slash + 1))));
  }
  while (out.size() < limit) {
    WALPIPE_ASSIGN_OR_RETURN(std::vector<io::DirEntry> window,
                             io::list_directory_window(layout_.wal_dir(), top_after, kListWindow));
    for (const io::DirEntry& top : window) {
      if (out.size() >= limit) return out;
      if (top.type == io::EntryType::kFile && looks_like_object(top.name)) {
        WALPIPE_TRY(add_object("", top.name));
      } else if (top.type == io::EntryType::kDirectory && is_hex16(top.name)) {
        WALPIPE_TRY(add_from(top.name, ""));
      }
    }
    if (window.size() < kListWindow) break;
    top_after = window.back().name;
  }
  return out;
}

Status LocalStore::remove(const wal::WalFileName& name) {
  WALPIPE_TRY(io_.unlink(layout_.object_path(name)));
  return fsync_path(io_, layout_.object_dir(name), O_RDONLY | O_DIRECTORY);
}

Status LocalStore::explain(Status failure) const {
  return explain_denied(std::move(failure), layout_);
}

Result<std::optional<io::FilesystemSpace>> LocalStore::space() {
  WALPIPE_ASSIGN_OR_RETURN(io::FilesystemSpace space, io::filesystem_space(layout_.root()));
  return std::optional<io::FilesystemSpace>(space);
}

Status LocalStore::give_to_owner(const std::string& path) {
  WALPIPE_ASSIGN_OR_RETURN(std::optional<Owner> owner, foreign_owner(layout_));
  return give_to(owner, path);
}

}  // namespace walpipe::archive
