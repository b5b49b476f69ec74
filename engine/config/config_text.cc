#include "config/config_text.h"

#include <algorithm>
#include <map>

namespace walpipe::config {

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr const char* kTextHint =
    "A configuration file is UTF-8 text without control characters other than tabs.";

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not one: overlong forms,
// surrogates and code points above U+10FFFF are refused, as a strict decoder does.
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

// What is wrong with the bytes of a line, or nullptr when it is text.
const char* text_problem(std::string_view line) {
  for (size_t i = 0; i < line.size();) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == 0) return "contains a NUL byte";
    if ((c < 0x20 && c != '\t') || c == 0x7F) return "contains a control character";
    const size_t n = utf8_length(line, i);
    if (n == 0) return "is not valid UTF-8";
    i += n;
  }
  return nullptr;
}

class LineParser {
 public:
  LineParser(const std::string& file_name, size_t line) : file_(file_name), line_(line) {}

  Status invalid(const std::string& reason, const std::string& hint) const {
    return Status(Code::kInvalidArgument, "invalid line " + std::to_string(line_) +
                                              " in configuration file \"" + file_ + "\": " + reason)
        .with_hint(hint);
  }

  // The value after "=", unquoted; `key` is valid and may be named.
  Result<std::string> value(std::string_view rest, const std::string& key) const {
    const std::string of_key = " of key \"" + key + "\"";
    if (rest.empty())
      return invalid("no value for key \"" + key + "\"",
                     "An empty value is written as two double quotes: " + key + " = \"\"");
    if (rest.front() != '"') {
      if (rest.find('#') != std::string_view::npos)
        return invalid("\"#\" in the unquoted value" + of_key,
                       "Put the value in double quotes if \"#\" belongs to it; comments go on "
                       "lines of their own.");
      if (rest.find('"') != std::string_view::npos)
        return invalid("double quote inside the unquoted value" + of_key,
                       "Put the whole value in double quotes, writing \\\" for a double quote "
                       "inside it.");
      return std::string(rest);
    }
    std::string out;
    for (size_t i = 1; i < rest.size(); ++i) {
      const char c = rest[i];
      if (c == '"') {
        if (i + 1 != rest.size())
          return invalid("text after the closing quote of the value" + of_key,
                         "Comments go on lines of their own.");
        return out;
      }
      if (c == '\\') {
        if (i + 1 == rest.size() || (rest[i + 1] != '"' && rest[i + 1] != '\\'))
          return invalid("invalid escape in the quoted value" + of_key,
                         "Inside double quotes, write \\\" for a double quote and \\\\ for a "
                         "backslash.");
        ++i;
      }
      out.push_back(rest[i]);
    }
    return invalid("unterminated quoted value" + of_key,
                   "A quoted value ends with a double quote on the same line.");
  }

 private:
  const std::string& file_;
  size_t line_;
};

}  // namespace

bool is_valid_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Result<std::vector<Entry>> parse_config_text(Bytes bytes, const std::string& file_name,
                                             std::span<const std::string_view> repeatable) {
  if (bytes.size() > kMaxConfigBytes)
    return Status(Code::kInvalidArgument,
                  "configuration file \"" + file_name + "\" is larger than 1 MiB")
        .with_hint(
            "A configuration file holds a few settings; check that this is the file "
            "meant.");
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());

  std::vector<Entry> entries;
  std::map<std::string, size_t, std::less<>> first_line;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.ends_with('\r')) line.remove_suffix(1);
    const LineParser parser(file_name, number);
    if (const char* problem = text_problem(line)) return parser.invalid(problem, kTextHint);

    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t eq = line.find('=');
    const std::string_view key = eq == std::string_view::npos ? "" : trim(line.substr(0, eq));
    if (key.empty())
      return parser.invalid("expected \"key = value\"",
                            "Each line holds a setting such as \"archive = /var/lib/walpipe\", "
                            "a comment starting with \"#\", or nothing.");
    if (!is_valid_key(key))
      return parser.invalid("a key holds only lower-case letters, digits and \"-\"",
                            "Keys are the long option names without \"--\", such as "
                            "\"archive\".");
    Result<std::string> value = parser.value(trim(line.substr(eq + 1)), std::string(key));
    if (!value.is_ok()) return std::move(value).take_status();

    auto [seen, inserted] = first_line.try_emplace(std::string(key), number);
    if (!inserted && std::find(repeatable.begin(), repeatable.end(), key) == repeatable.end())
      return parser.invalid(
          "key \"" + std::string(key) + "\" is already set in line " + std::to_string(seen->second),
          "Remove one of the two lines.");
    entries.push_back({std::string(key), std::move(value).value(), number});
  }
  return entries;
}

}  // namespace walpipe::config
