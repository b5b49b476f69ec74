#include "archive/identity.h"

#include <fcntl.h>

#include <charconv>
#include <cstdio>
#include <string_view>

#include "archive/owner.h"

namespace walpipe::archive {

std::string encode_identity(const Identity& id) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"format\": 1, \"system_identifier\": \"%llu\", \"wal_page_magic\": %u, "
                "\"segment_size\": %u, \"page_size\": %u}\n",
                static_cast<unsigned long long>(id.system_id), id.wal_magic, id.segment_size,
                id.page_size);
  return buf;
}

namespace {

// What std::regex's \s matched in the classic locale, without consulting any locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The digits of the first occurrence of `quoted_key` that is followed by `\s*:\s*"?[0-9]+`.
// This is the language the earlier regex accepted, closing quote optional, so that no
// walpipe.json an older walpipe read is refused now. An occurrence without a number after it
// (a key quoted inside a string value, say) does not hide a later one. The scan restarts one
// byte on, not past the key, because a key's closing quote can open the next occurrence.
std::optional<std::string_view> number_after(std::string_view text, std::string_view quoted_key) {
  for (size_t at = text.find(quoted_key); at != std::string_view::npos;
       at = text.find(quoted_key, at + 1)) {
    size_t i = at + quoted_key.size();
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && is_space(text[i])) ++i;
    if (i < text.size() && text[i] == '"') ++i;
    const size_t first = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i > first) return text.substr(first, i - first);
  }
  return std::nullopt;
}

}  // namespace

Result<Identity> decode_identity(const std::string& text, const std::string& path) {
  auto sysid = number_after(text, "\"system_identifier\""),
       magic = number_after(text, "\"wal_page_magic\""),
       seg = number_after(text, "\"segment_size\""), page = number_after(text, "\"page_size\""),
       format = number_after(text, "\"format\"");
  if (!sysid || !magic || !seg || !page || !format)
    return Status(Code::kCorruption, "archive identity file \"" + path + "\" is malformed");
  if (*format != "1")
    return Status(Code::kUnsupported, "archive identity file \"" + path + "\" has format " +
                                          std::string(*format) +
                                          ", which this walpipe does not know");
  Identity id;
  auto number = [](std::string_view digits, uint64_t max, uint64_t* out) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
    return ec == std::errc() && end == digits.data() + digits.size() && *out <= max;
  };
  uint64_t magic_v = 0, seg_v = 0, page_v = 0;
  if (!number(*sysid, UINT64_MAX, &id.system_id) || !number(*magic, UINT16_MAX, &magic_v) ||
      !number(*seg, UINT32_MAX, &seg_v) || !number(*page, UINT32_MAX, &page_v))
    return Status(Code::kCorruption,
                  "archive identity file \"" + path + "\" has a value out of range");
  id.wal_magic = static_cast<uint16_t>(magic_v);
  id.segment_size = static_cast<uint32_t>(seg_v);
  id.page_size = static_cast<uint32_t>(page_v);
  return id;
}

Result<std::optional<Identity>> load_identity(io::Io& io, const Layout& layout) {
  const std::string path = layout.identity_path();
  Result<io::Fd> fd = io.open(path, O_RDONLY, 0);
  if (!fd.is_ok()) {
    if (fd.status().code() == Code::kNotFound) return std::optional<Identity>();
    return std::move(fd).take_status();
  }
  Result<uint64_t> size = io::file_size(*fd, path);
  if (!size.is_ok()) return std::move(size).take_status();
  if (*size > 4096)
    return Status(Code::kCorruption, "archive identity file \"" + path + "\" is too large");
  std::string text(*size, '\0');
  WALPIPE_TRY(io.read_exact(*fd, 0, std::as_writable_bytes(std::span(text)), path));
  Result<Identity> id = decode_identity(text, path);
  if (!id.is_ok()) return std::move(id).take_status();
  return std::optional<Identity>(*id);
}

namespace {

Status mismatch(const Identity& archive, const Identity& mine, const std::string& path) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "WAL file is from a different database system than archive \"%s\"",
                path.c_str());
  char detail[512];
  std::snprintf(detail, sizeof detail,
                "The archive holds system identifier %llu (page magic %04X, segment size %u); the "
                "file has system identifier %llu (page magic %04X, segment size %u).",
                static_cast<unsigned long long>(archive.system_id), archive.wal_magic,
                archive.segment_size, static_cast<unsigned long long>(mine.system_id),
                mine.wal_magic, mine.segment_size);
  return Status(Code::kMismatch, buf)
      .with_detail(detail)
      .with_hint("Each cluster needs its own archive directory.");
}

bool same_cluster(const Identity& archive, const Identity& mine) {
  // A new major version changes only the magic; pg_upgrade keeps the system identifier.
  return archive.system_id == mine.system_id && archive.segment_size == mine.segment_size &&
         archive.page_size == mine.page_size;
}

}  // namespace

Result<bool> check_identity(io::Io& io, const Layout& layout, const Identity& mine) {
  Result<std::optional<Identity>> existing = load_identity(io, layout);
  if (!existing.is_ok()) return std::move(existing).take_status();
  if (!*existing) return false;
  if (!same_cluster(**existing, mine)) return mismatch(**existing, mine, layout.root());
  return true;
}

Status check_or_create_identity(io::Io& io, const Layout& layout, const Identity& mine) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<bool> present = check_identity(io, layout, mine);
    if (!present.is_ok()) return std::move(present).take_status();
    if (*present) return Status::ok();
    // First push: write the identity beside the data, durably, without replacing a racing one.
    const std::string text = encode_identity(mine);
    const std::string tmp = layout.temp_path("walpipe.json");
    Result<io::Fd> fd = io.open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (!fd.is_ok()) return std::move(fd).take_status();
    Result<std::optional<Owner>> owner = foreign_owner(layout);  // a first push run as root
    Status written = owner.is_ok() ? give_to(*owner, *fd, tmp) : std::move(owner).take_status();
    if (written.is_ok()) written = io.write_durably(*fd, 0, std::as_bytes(std::span(text)), tmp);
    Status closed = io.close(*fd, tmp);
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
    Result<io::Fd> dir = io.open(layout.root(), O_RDONLY | O_DIRECTORY, 0);
    if (!dir.is_ok()) return std::move(dir).take_status();
    return io.fsync(*dir, layout.root());
  }
  return Status(Code::kIoError, "could not create archive identity in \"" + layout.root() + "\"");
}

}  // namespace walpipe::archive
