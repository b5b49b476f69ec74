#include "archive/local/identity_file.h"

#include <fcntl.h>

#include <span>

#include "archive/local/owner.h"

namespace walpipe::archive {

Result<std::optional<Identity>> load_identity_file(io::Io& io, const Layout& layout) {
  const std::string path = layout.identity_path();
  Result<io::Fd> fd = io.open(path, O_RDONLY, 0);
  if (!fd.is_ok()) {
    if (fd.status().code() == Code::kNotFound) return std::optional<Identity>();
    return std::move(fd).take_status();
  }
  WALPIPE_ASSIGN_OR_RETURN(uint64_t size, io::file_size(*fd, path));
  if (size > 4096)
    return Status(Code::kCorruption, "archive identity file \"" + path + "\" is too large");
  std::string text(size, '\0');
  WALPIPE_TRY(io.read_exact(*fd, 0, std::as_writable_bytes(std::span(text)), path));
  WALPIPE_ASSIGN_OR_RETURN(Identity id, decode_identity(text, path));
  return std::optional<Identity>(id);
}

Status check_or_create_identity_file(io::Io& io, const Layout& layout, const Identity& mine) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    WALPIPE_ASSIGN_OR_RETURN(std::optional<Identity> present, load_identity_file(io, layout));
    if (present) {
      if (same_cluster(*present, mine)) return Status::ok();
      return identity_mismatch(*present, mine, layout.root());
    }
    // First push: write the identity beside the data, durably, without replacing a racing one.
    const std::string text = encode_identity(mine);
    const std::string tmp = layout.temp_path("walpipe.json");
    WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io.open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600));
    Result<std::optional<Owner>> owner = foreign_owner(layout);  // a first push run as root
    Status written = owner.is_ok() ? give_to(*owner, fd, tmp) : std::move(owner).take_status();
    if (written.is_ok()) written = io.write_durably(fd, 0, std::as_bytes(std::span(text)), tmp);
    Status closed = io.close(fd, tmp);
    Status renamed = written.is_ok() && closed.is_ok()
                         ? io.rename_noreplace(tmp, layout.identity_path())
                         : Status::ok();
    if (!written.is_ok() || !closed.is_ok() || !renamed.is_ok()) {
      Status cleanup = io.unlink(tmp);
      (void)cleanup;
      if (!written.is_ok()) return written;
      if (!closed.is_ok()) return closed;
      if (renamed.code() != Code::kMismatch) return renamed;
      continue;  // another pusher created it first: compare with theirs
    }
    WALPIPE_ASSIGN_OR_RETURN(io::Fd dir, io.open(layout.root(), O_RDONLY | O_DIRECTORY, 0));
    return io.fsync(dir, layout.root());
  }
  return Status(Code::kIoError, "could not create archive identity in \"" + layout.root() + "\"");
}

}  // namespace walpipe::archive
