// The text of walpipe's configuration file (walpipe.conf), parsed without touching the file:
// the command reads the bytes, this turns them into settings, and a fuzz target calls it too.
//
// Format, one setting per line:
//
//   # a comment: "#" as the first character of a line, after blanks
//   archive = /var/lib/walpipe/archive
//   pg-dbname = "host=/run/postgresql user=walpipe"
//
// - A key is the long option's name without "--": lower-case letters, digits and "-".
// - Blanks (spaces, tabs) around the key and the value are dropped; blank lines are ignored.
// - A value may be written in double quotes, where \" and \\ are the only escapes, to keep
//   leading or trailing blanks or to hold "#" or a double quote. An empty value must be quoted.
// - "#" after a key is never a comment: an unquoted value holding "#" is refused. A connection
//   string or a password may contain "#", and reading it either as a comment (cutting the value
//   short) or as part of the value (`level = 3  # faster`) would each be wrong half the time;
//   refusing it makes the writer say which was meant.
// - A key appears once, unless the caller names it repeatable (an option given several times).
// - The file is UTF-8 of at most 1 MiB with no control characters but tabs; a line may end in
//   "\r\n"; a UTF-8 byte order mark at the start is skipped.
//
// Error messages name the file, the line and, once it is known to be a valid key, the key: never
// a value or the text of a line, since values may be passwords or keys.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::config {

inline constexpr size_t kMaxConfigBytes = size_t{1} << 20;

struct Entry {
  std::string key;
  std::string value;  // quotes removed and escapes resolved
  size_t line = 0;    // 1-based
};

// Whether `key` has the form of a key: one or more of [a-z0-9-].
bool is_valid_key(std::string_view key);

// The settings in `text`, in file order (line numbers strictly increasing), or kInvalidArgument
// naming `file_name` and the first bad line, with a HINT. Keys in `repeatable` may appear on
// several lines; any other key appearing twice is an error. Pure: no I/O, no global state.
Result<std::vector<Entry>> parse_config_text(Bytes text, const std::string& file_name,
                                             std::span<const std::string_view> repeatable);

}  // namespace walpipe::config
