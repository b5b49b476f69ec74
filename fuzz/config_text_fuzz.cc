// The configuration file's parser (engine/config/config_text.h). Input: one control byte (bit 0:
// "archive" is repeatable), then the file's text. Beyond not crashing: what parses has valid keys
// in increasing line order and repeats only repeatable keys, a second parse gives the same, and
// no error message shows a value, checked by planting a marker at the start of every value.
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "config/config_text.h"

namespace {

using namespace walpipe;

const std::string kFile = "/etc/walpipe/walpipe.conf";
// Upper case: no key can hold it, and nothing else from a line may reach a message.
constexpr std::string_view kMarker = "SECRETMARKER";

Bytes bytes_of(std::string_view s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

void check_entries(const std::vector<config::Entry>& entries,
                   std::span<const std::string_view> repeatable) {
  std::set<std::string> seen;
  for (size_t i = 0; i < entries.size(); ++i) {
    const config::Entry& e = entries[i];
    WALPIPE_CHECK(config::is_valid_key(e.key));
    WALPIPE_CHECK(e.line >= 1);
    WALPIPE_CHECK(e.value.find('\n') == std::string::npos);
    if (i > 0) WALPIPE_CHECK(entries[i - 1].line < e.line);
    bool may_repeat = false;
    for (std::string_view r : repeatable) may_repeat = may_repeat || r == e.key;
    WALPIPE_CHECK(seen.insert(e.key).second || may_repeat);
  }
}

void check_error(const Status& status) {
  WALPIPE_CHECK(status.code() == Code::kInvalidArgument);
  const std::string& m = status.message();
  WALPIPE_CHECK(m.starts_with("invalid line ") ||
                m.starts_with("configuration file \"" + kFile + "\" "));
  WALPIPE_CHECK(m.find("\"" + kFile + "\"") != std::string::npos);
  WALPIPE_CHECK(!status.hint().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kArchive[] = {"archive"};
  std::span<const std::string_view> repeatable;
  if (data[0] & 1) repeatable = kArchive;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  Result<std::vector<config::Entry>> parsed =
      config::parse_config_text(bytes_of(text), kFile, repeatable);
  Result<std::vector<config::Entry>> again =
      config::parse_config_text(bytes_of(text), kFile, repeatable);
  WALPIPE_CHECK(parsed.is_ok() == again.is_ok());
  if (parsed.is_ok()) {
    check_entries(*parsed, repeatable);
    WALPIPE_CHECK(parsed->size() == again->size());
    for (size_t i = 0; i < parsed->size(); ++i)
      WALPIPE_CHECK((*parsed)[i].key == (*again)[i].key &&
                    (*parsed)[i].value == (*again)[i].value &&
                    (*parsed)[i].line == (*again)[i].line);
  } else {
    check_error(parsed.status());
    WALPIPE_CHECK(parsed.status().to_string() == again.status().to_string());
  }

  // Every byte after an "=" belongs to a value (a key cannot hold "="), so the marker starts or
  // sits inside the value of every line that has one.
  std::string marked;
  for (char c : text) {
    marked.push_back(c);
    if (c == '=') marked.append(kMarker);
  }
  Result<std::vector<config::Entry>> with_marker =
      config::parse_config_text(bytes_of(marked), kFile, repeatable);
  if (with_marker.is_ok()) {
    check_entries(*with_marker, repeatable);
    for (const config::Entry& e : *with_marker)
      WALPIPE_CHECK(e.value.find(kMarker) != std::string::npos);
  } else {
    check_error(with_marker.status());
    WALPIPE_CHECK(with_marker.status().to_string().find(kMarker) == std::string::npos);
  }
  return 0;
}
