#include "archive/identity.h"

#include <charconv>
#include <cstdio>
#include <string_view>

#include "archive/store.h"

namespace walpipe::archive {

std::string encode_identity(const Identity& id) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"format\": %d, \"system_identifier\": \"%llu\", \"wal_page_magic\": %u, "
                "\"segment_size\": %u, \"page_size\": %u",
                id.encryption ? 2 : 1, static_cast<unsigned long long>(id.system_id), id.wal_magic,
                id.segment_size, id.page_size);
  std::string text = buf;
  // The key id is hex digits (sealing.h), nothing that needs escaping.
  if (id.encryption)
    text += ", \"encryption\": \"age\", \"fingerprint_key_id\": \"" +
            id.encryption->fingerprint_key_id + "\"";
  return text + "}\n";
}

namespace {

// What std::regex's \s matched in the classic locale, without consulting any locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The first value that `read_value` accepts, read from where an occurrence of `quoted_key` has
// its value: past `\s*:\s*`. An occurrence that has no such value (a key quoted inside a string
// value, say) does not hide a later one. The scan restarts one byte on, not past the key, because
// a key's closing quote can open the next occurrence.
template <typename ReadValue>
std::optional<std::string_view> first_value(std::string_view text, std::string_view quoted_key,
                                            ReadValue read_value) {
  for (size_t at = text.find(quoted_key); at != std::string_view::npos;
       at = text.find(quoted_key, at + 1)) {
    size_t i = at + quoted_key.size();
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && is_space(text[i])) ++i;
    if (std::optional<std::string_view> value = read_value(text.substr(i))) return value;
  }
  return std::nullopt;
}

// The digits of the first occurrence of `quoted_key` that is followed by `\s*:\s*"?[0-9]+`.
// This is the language the earlier regex accepted, closing quote optional, so that no
// walpipe.json an older walpipe read is refused now.
std::optional<std::string_view> number_after(std::string_view text, std::string_view quoted_key) {
  return first_value(text, quoted_key,
                     [](std::string_view rest) -> std::optional<std::string_view> {
                       size_t i = 0;
                       if (i < rest.size() && rest[i] == '"') ++i;
                       const size_t first = i;
                       while (i < rest.size() && is_digit(rest[i])) ++i;
                       if (i > first) return rest.substr(first, i - first);
                       return std::nullopt;
                     });
}

// The characters of the first `"key"\s*:\s*"VALUE"` (VALUE without quotes or backslashes).
std::optional<std::string_view> string_after(std::string_view text, std::string_view quoted_key) {
  return first_value(text, quoted_key,
                     [](std::string_view rest) -> std::optional<std::string_view> {
                       if (rest.empty() || rest[0] != '"') return std::nullopt;
                       size_t i = 1;
                       while (i < rest.size() && rest[i] != '"' && rest[i] != '\\') ++i;
                       if (i < rest.size() && rest[i] == '"') return rest.substr(1, i - 1);
                       return std::nullopt;
                     });
}

}  // namespace

Result<Identity> decode_identity(const std::string& text, const std::string& path) {
  auto sysid = number_after(text, "\"system_identifier\""),
       magic = number_after(text, "\"wal_page_magic\""),
       seg = number_after(text, "\"segment_size\""), page = number_after(text, "\"page_size\""),
       format = number_after(text, "\"format\"");
  if (!sysid || !magic || !seg || !page || !format)
    return Status(Code::kCorruption, "archive identity file \"" + path + "\" is malformed");
  if (*format != "1" && *format != "2")
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
  if (*format == "1") return id;
  std::optional<std::string_view> scheme = string_after(text, "\"encryption\""),
                                  key_id = string_after(text, "\"fingerprint_key_id\"");
  if (!scheme || !key_id)
    return Status(Code::kCorruption, "archive identity file \"" + path + "\" is malformed");
  if (*scheme != "age")
    return Status(Code::kUnsupported, "archive identity file \"" + path +
                                          "\" names an encryption this walpipe does not know");
  id.encryption = Encryption{std::string(*key_id)};
  return id;
}

Status identity_mismatch(const Identity& archive, const Identity& mine,
                         const std::string& location) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "WAL file is from a different database system than archive \"%s\"",
                location.c_str());
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
  return archive.system_id == mine.system_id && archive.segment_size == mine.segment_size &&
         archive.page_size == mine.page_size;
}

Status check_encryption(const std::optional<Identity>& archive,
                        const std::optional<Encryption>& mine, const std::string& location) {
  if (!archive || archive->encryption == mine) return Status::ok();
  if (!mine)
    return Status(Code::kMismatch, "archive \"" + location + "\" is encrypted")
        .with_detail("Its objects are age files; this push has no recipient to encrypt to.")
        .with_hint(
            "Give the archive's recipients (--encrypt-to or --recipients-file) and its "
            "--fingerprint-key, or push into a plain archive.");
  if (!archive->encryption)
    return Status(Code::kMismatch, "archive \"" + location + "\" is not encrypted")
        .with_detail("Its objects are plain .zst files; this push would add encrypted ones.")
        .with_hint(
            "Push without recipients, or bring the archive into a new encrypted one with "
            "walpipe copy and push there.");
  return Status(Code::kMismatch, "archive \"" + location +
                                     "\" was started with another "
                                     "fingerprint key")
      .with_detail("The archive's fingerprint key has id " +
                   archive->encryption->fingerprint_key_id + ", the one given has id " +
                   mine->fingerprint_key_id + ".")
      .with_hint(
          "Give the fingerprint key every push into this archive uses: with another one, a "
          "retried push could not recognise what it archived before.");
}

Result<bool> check_identity(Store& store, const Identity& mine) {
  WALPIPE_ASSIGN_OR_RETURN(std::optional<Identity> existing, store.load_identity());
  if (!existing) return false;
  if (!same_cluster(*existing, mine)) return identity_mismatch(*existing, mine, store.location());
  return true;
}

}  // namespace walpipe::archive
