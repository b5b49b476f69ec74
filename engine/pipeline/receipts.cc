#include "pipeline/receipts.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "io/fs.h"

namespace walpipe::pipeline {

namespace {

// Written by this user and by nobody else: a receipt planted by another user would acknowledge
// a file that was never archived.
bool only_mine(const io::EntryInfo& info, io::EntryType type) {
  return info.type == type && info.uid == io::effective_uid() && (info.mode & 022) == 0;
}

}  // namespace

Receipts::Receipts(std::string dir, std::string_view scope)
    : dir_(std::move(dir)), scope_(fingerprint_of(std::as_bytes(std::span(scope)))) {}

std::string Receipts::path_of(const std::string& name) const {
  return dir_ + "/" + name + ".receipt";
}

// Compared whole, never parsed: a receipt that differs in any byte is no receipt.
std::string Receipts::text_of(const Fingerprint& fingerprint, uint64_t size) const {
  return "walpipe receipt 1 " + scope_.hex() + " " + fingerprint.hex() + " " +
         std::to_string(size) + "\n";
}

Status Receipts::record(io::Io& io, const std::string& name, const Fingerprint& fingerprint,
                        uint64_t size) const {
  const std::string path = path_of(name);
  const std::string temp = path + "." + std::to_string(::getpid()) + ".tmp";
  const std::string text = text_of(fingerprint, size);
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io.open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0600));
  Status written = io.write_at(fd, 0, std::as_bytes(std::span(text)), temp);
  Status closed = io.close(fd, temp);
  if (written.is_ok()) written = closed;
  if (written.is_ok()) written = io.rename_over(temp, path);
  if (!written.is_ok()) (void)io.unlink(temp);
  return written;
}

bool Receipts::left_for(const std::string& name) const {
  return io::entry_type(path_of(name)).is_ok();
}

bool Receipts::redeem(io::Io& io, const std::string& name, const Fingerprint& fingerprint,
                      uint64_t size) const {
  const std::string path = path_of(name);
  Result<io::Fd> fd = io.open(path, O_RDONLY, 0);
  if (!fd.is_ok()) return false;
  const std::string expected = text_of(fingerprint, size);
  std::vector<std::byte> held(expected.size());
  Result<io::EntryInfo> file = io::entry_info(*fd, path);
  Result<io::EntryInfo> folder = io::entry_info(dir_);
  Result<uint64_t> held_size = io::file_size(*fd, path);
  Result<int64_t> age = io::seconds_since_modified(path);
  const bool valid =
      file.is_ok() && only_mine(*file, io::EntryType::kFile) && folder.is_ok() &&
      only_mine(*folder, io::EntryType::kDirectory) && held_size.is_ok() &&
      *held_size == expected.size() && age.is_ok() && *age <= kLifetimeSeconds &&
      io.read_exact(*fd, 0, held, path).is_ok() &&
      std::equal(held.begin(), held.end(), std::as_bytes(std::span(expected)).begin());
  (void)io.close(*fd, path);
  (void)io.unlink(path);
  return valid;
}

void Receipts::prune(io::Io& io) const {
  Result<std::vector<io::DirEntry>> entries = io::list_directory(dir_);
  if (!entries.is_ok()) return;
  for (const io::DirEntry& entry : *entries) {
    if (entry.type != io::EntryType::kFile) continue;
    const std::string path = dir_ + "/" + entry.name;
    // "<name>.receipt" and its temporaries "<name>.receipt.<pid>.tmp"; nothing else there is ours.
    if (entry.name.find(".receipt") == std::string::npos) continue;
    Result<int64_t> age = io::seconds_since_modified(path);
    if (age.is_ok() && *age > kLifetimeSeconds) (void)io.unlink(path);
  }
}

}  // namespace walpipe::pipeline
