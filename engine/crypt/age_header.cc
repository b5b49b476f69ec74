// The header parser reads line by line in the order the grammar fixes (version, stanzas, MAC)
// and refuses at the first line that does not fit, so a damaged header is never half-trusted.
// Parsing is strict where the specification is (canonical base64, exact line lengths): the MAC
// is then taken over the bytes as they are, which equal the canonical re-encoding Go's age
// computes it over.
#include "crypt/age_header.h"

#include <algorithm>

#include "crypt/base64.h"

namespace walpipe::crypt {
namespace {

constexpr std::string_view kVersionPrefix = "age-encryption.org/";
constexpr std::string_view kStanzaPrefix = "-> ";
constexpr std::string_view kMacPrefix = "---";
constexpr size_t kMacBase64Length = 43;

bool is_vchar(char c) { return c >= 0x21 && c <= 0x7e; }

class LineReader {
 public:
  explicit LineReader(Bytes file)
      : text_(reinterpret_cast<const char*>(file.data()), std::min(file.size(), kMaxHeaderBytes)),
        whole_file_(file.size() <= kMaxHeaderBytes) {}

  size_t number() const { return number_; }
  size_t position() const { return pos_; }

  // The next line without its "\n" in `line` and its start offset in `start`.
  Status next(std::string_view* line, size_t* start) {
    const size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) {
      if (!whole_file_) return Status(Code::kCorruption, "age header is larger than 1 MiB");
      return Status(Code::kCorruption,
                    "age header is truncated after line " + std::to_string(number_));
    }
    ++number_;
    *start = pos_;
    *line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return Status::ok();
  }

  Status bad(const std::string& why) const {
    return Status(Code::kCorruption,
                  "invalid age header: line " + std::to_string(number_) + " " + why);
  }

 private:
  std::string_view text_;
  bool whole_file_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

Status parse_version(LineReader& reader) {
  std::string_view line;
  size_t start;
  Status read = reader.next(&line, &start);
  // Another version is named only when the line has the grammar's form (1*VCHAR after the
  // prefix); a "\r" or a control character says damage or not age at all.
  if (!read.is_ok() || !line.starts_with(kVersionPrefix) || line.size() == kVersionPrefix.size() ||
      !std::all_of(line.begin() + kVersionPrefix.size(), line.end(), is_vchar))
    return Status(Code::kCorruption, "not an age file: it does not start with \"" +
                                         std::string(kAgeVersionLine) + "\"");
  if (line != kAgeVersionLine)
    return Status(Code::kUnsupported, "unsupported age format version: only \"" +
                                          std::string(kAgeVersionLine) + "\" is read");
  return Status::ok();
}

// The stanza whose argument line (after "-> ") is `args`, reading its body lines.
Result<Stanza> parse_stanza(LineReader& reader, std::string_view args) {
  Stanza stanza;
  while (true) {
    const size_t space = args.find(' ');
    std::string_view arg = args.substr(0, space);
    if (arg.empty()) return reader.bad("has an empty stanza argument");
    if (!std::all_of(arg.begin(), arg.end(), is_vchar))
      return reader.bad("has a stanza argument with a character that is not printable ASCII");
    stanza.args.emplace_back(arg);
    if (space == std::string_view::npos) break;
    args.remove_prefix(space + 1);
  }
  std::string body;
  while (true) {
    std::string_view line;
    size_t start;
    WALPIPE_TRY(reader.next(&line, &start));
    if (line.size() > kBodyColumns) return reader.bad("is a stanza body line over 64 columns");
    if (!std::all_of(line.begin(), line.end(), is_base64_char))
      return reader.bad("is a stanza body line with a character outside base64");
    body.append(line);
    if (line.size() < kBodyColumns) break;
  }
  std::optional<std::vector<std::byte>> decoded = base64_decode(body);
  if (!decoded) return reader.bad("ends a stanza body that is not canonical base64");
  stanza.body = std::move(*decoded);
  return stanza;
}

Status parse_mac(LineReader& reader, std::string_view line, size_t start, Header* header) {
  if (header->stanzas.empty()) return reader.bad("is the MAC line, but no stanza precedes it");
  const std::string_view rest = line.substr(kMacPrefix.size());
  if (!rest.starts_with(' ') || rest.size() != 1 + kMacBase64Length)
    return reader.bad("is a MAC line that is not \"--- \" and 43 base64 characters");
  std::optional<std::vector<std::byte>> mac = base64_decode(rest.substr(1));
  if (!mac || mac->size() != kHmacSize)
    return reader.bad("is a MAC line that is not canonical base64");
  std::copy(mac->begin(), mac->end(), header->mac.begin());
  header->mac_input_size = start + kMacPrefix.size();
  header->size = reader.position();
  return Status::ok();
}

Result<std::array<std::byte, kHmacSize>> header_mac(Bytes header, const FileKey& file_key) {
  WALPIPE_ASSIGN_OR_RETURN(Secret<32> key, hkdf_sha256(file_key.bytes, {}, "header"));
  return hmac_sha256(key.bytes, header);
}

}  // namespace

Result<Header> parse_header(Bytes file) {
  LineReader reader(file);
  WALPIPE_TRY(parse_version(reader));
  Header header;
  while (true) {
    std::string_view line;
    size_t start;
    WALPIPE_TRY(reader.next(&line, &start));
    if (line.starts_with(kMacPrefix)) {
      WALPIPE_TRY(parse_mac(reader, line, start, &header));
      return header;
    }
    if (!line.starts_with(kStanzaPrefix))
      return reader.bad("is neither a stanza (\"-> \") nor the MAC line (\"--- \")");
    if (header.stanzas.size() == kMaxStanzas)
      return reader.bad("starts a stanza beyond the limit of 4096");
    WALPIPE_ASSIGN_OR_RETURN(Stanza stanza,
                             parse_stanza(reader, line.substr(kStanzaPrefix.size())));
    header.stanzas.push_back(std::move(stanza));
  }
}

Status verify_header_mac(Bytes file, const Header& header, const FileKey& file_key) {
  WALPIPE_CHECK(header.mac_input_size > 0 && header.mac_input_size <= file.size());
  WALPIPE_ASSIGN_OR_RETURN(auto mac, header_mac(file.first(header.mac_input_size), file_key));
  WALPIPE_ASSIGN_OR_RETURN(bool equal, equal_secret(mac, header.mac));
  if (!equal)
    return Status(Code::kCorruption, "age header MAC does not match: the header was altered");
  return Status::ok();
}

Result<std::vector<std::byte>> encode_header(std::span<const Stanza> stanzas,
                                             const FileKey& file_key) {
  WALPIPE_CHECK(!stanzas.empty());
  std::string text(kAgeVersionLine);
  text.push_back('\n');
  for (const Stanza& stanza : stanzas) {
    WALPIPE_CHECK(!stanza.args.empty());
    text.append(kStanzaPrefix);
    for (size_t i = 0; i < stanza.args.size(); ++i) {
      const std::string& arg = stanza.args[i];
      WALPIPE_CHECK(!arg.empty() && std::all_of(arg.begin(), arg.end(), is_vchar));
      if (i > 0) text.push_back(' ');
      text.append(arg);
    }
    text.push_back('\n');
    // Full lines of 64, then a shorter one, empty when the body fills its last line exactly.
    const std::string body = base64_encode(stanza.body);
    for (size_t at = 0;; at += kBodyColumns) {
      const std::string_view part = std::string_view(body).substr(at, kBodyColumns);
      text.append(part);
      text.push_back('\n');
      if (part.size() < kBodyColumns) break;
    }
  }
  text.append(kMacPrefix);
  const Bytes mac_input(reinterpret_cast<const std::byte*>(text.data()), text.size());
  WALPIPE_ASSIGN_OR_RETURN(auto mac, header_mac(mac_input, file_key));
  text.push_back(' ');
  text.append(base64_encode(mac));
  text.push_back('\n');
  const auto* begin = reinterpret_cast<const std::byte*>(text.data());
  return std::vector<std::byte>(begin, begin + text.size());
}

}  // namespace walpipe::crypt
