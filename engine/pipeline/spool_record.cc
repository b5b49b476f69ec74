#include "pipeline/spool_record.h"

#include <fcntl.h>

#include <charconv>
#include <span>
#include <string_view>

#include "io/fs.h"

namespace walpipe::pipeline {

namespace {

constexpr std::string_view kRecordPrefix = ".checked.";
constexpr std::string_view kFirstLine = "walpipe spool record 1";
// Far more than a record holds (an identity line and an archive's location).
constexpr uint64_t kMaxRecordSize = 8192;

// The text after `key` on the line that starts at `*at`, which then moves to the next line.
std::optional<std::string_view> field(std::string_view text, std::string_view key, size_t* at) {
  if (text.substr(*at, key.size()) != key) return std::nullopt;
  const size_t end = text.find('\n', *at);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view value = text.substr(*at + key.size(), end - *at - key.size());
  *at = end + 1;
  return value;
}

std::optional<uint64_t> hex64(std::string_view digits) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string spool_record_path(const std::string& spool, const wal::WalFileName& name) {
  return spool + "/" + std::string(kRecordPrefix) + name.to_string();
}

bool is_spool_record(const std::string& file_name) {
  return !spooled_name_of_record(file_name).empty();
}

std::string spooled_name_of_record(const std::string& file_name) {
  if (!file_name.starts_with(kRecordPrefix)) return "";
  Result<wal::WalFileName> name = wal::parse_file_name(file_name.substr(kRecordPrefix.size()));
  return name.is_ok() && name->kind == wal::FileKind::kSegment ? name->to_string() : "";
}

std::string format_spool_record(const SpoolRecord& record) {
  return std::string(kFirstLine) + "\nsize " + std::to_string(record.size) + "\nfingerprint " +
         record.fingerprint.hex() + "\n" + archive::encode_identity(record.identity) + "archive " +
         record.archive;
}

std::optional<SpoolRecord> parse_spool_record(std::string_view text, const std::string& path) {
  if (text.size() > kMaxRecordSize) return std::nullopt;
  size_t at = 0;
  std::optional<std::string_view> first = field(text, kFirstLine, &at);
  std::optional<std::string_view> bytes =
      first && first->empty() ? field(text, "size ", &at) : std::nullopt;
  std::optional<std::string_view> hex = bytes ? field(text, "fingerprint ", &at) : std::nullopt;
  std::optional<std::string_view> identity_line = hex ? field(text, "", &at) : std::nullopt;
  if (!identity_line || hex->size() != 32 || text.substr(at, 8) != "archive ") return std::nullopt;
  SpoolRecord record;
  record.archive = std::string(text.substr(at + 8));
  auto [end, ec] = std::from_chars(bytes->data(), bytes->data() + bytes->size(), record.size);
  std::optional<uint64_t> high = hex64(hex->substr(0, 16)), low = hex64(hex->substr(16));
  if (ec != std::errc() || end != bytes->data() + bytes->size() || !high || !low)
    return std::nullopt;
  record.fingerprint = Fingerprint{*low, *high};
  Result<archive::Identity> identity = archive::decode_identity(std::string(*identity_line), path);
  if (!identity.is_ok()) return std::nullopt;
  record.identity = *identity;
  return record;
}

Status write_spool_record(io::Io& io, const std::string& spool, const wal::WalFileName& name,
                          const std::string& temp, const SpoolRecord& record) {
  const std::string text = format_spool_record(record);
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io.open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0600));
  Status written = io.write_at(fd, 0, std::as_bytes(std::span(text)), temp);
  Status closed = io.close(fd, temp);
  if (written.is_ok() && closed.is_ok()) {
    written = io.rename_over(temp, spool_record_path(spool, name));
    if (written.is_ok()) return written;
  }
  Status removed = io.unlink(temp);
  (void)removed;  // a temporary left behind is pruned with the others
  return written.is_ok() ? closed : written;
}

std::optional<SpoolRecord> read_spool_record(io::Io& io, const std::string& spool,
                                             const wal::WalFileName& name) {
  const std::string path = spool_record_path(spool, name);
  Result<io::Fd> fd = io.open(path, O_RDONLY, 0);
  if (!fd.is_ok()) return std::nullopt;
  Result<uint64_t> size = io::file_size(*fd, path);
  if (!size.is_ok() || *size > kMaxRecordSize) return std::nullopt;
  std::string text(*size, '\0');
  if (!io.read_exact(*fd, 0, std::as_writable_bytes(std::span(text)), path).is_ok())
    return std::nullopt;
  return parse_spool_record(text, path);
}

}  // namespace walpipe::pipeline
