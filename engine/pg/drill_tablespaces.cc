#include "pg/drill_tablespaces.h"

#include <algorithm>

#include "io/fs.h"
#include "io/links.h"

namespace walpipe::pg {

namespace {

// tablespace_map escapes these three with a backslash.
std::string map_escaped(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '\n' || c == '\r' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string tablespace_dir(const std::string& dest, const std::string& oid) {
  return io::dir_name(dest) + "/tablespace-" + oid;
}

std::vector<std::pair<std::string, std::string>> parse_tablespace_map(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> lines;
  std::string line;
  auto end_line = [&] {
    const size_t space = line.find(' ');
    if (space != 0 && space != std::string::npos)
      lines.emplace_back(line.substr(0, space), line.substr(space + 1));
    line.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      line += text[++i];
    } else if (text[i] == '\n') {
      end_line();
    } else {
      line += text[i];
    }
  }
  end_line();
  return lines;
}

Result<std::vector<TablespaceCopy>> plain_tablespaces(const std::string& source,
                                                      std::string_view map_text) {
  std::vector<TablespaceCopy> found;
  const std::string links = source + "/pg_tblspc";
  Result<std::vector<io::DirEntry>> entries = io::list_directory(links);
  if (!entries.is_ok() && entries.status().code() != Code::kNotFound) return entries.status();
  for (const io::DirEntry& entry : entries.is_ok() ? *entries : std::vector<io::DirEntry>()) {
    // A folder (an in-place tablespace) is copied with the data directory.
    if (entry.type == io::EntryType::kDirectory) continue;
    Result<std::string> to = io::read_link(links + "/" + entry.name);
    if (!to.is_ok() && to.status().code() == Code::kInvalidArgument) continue;
    if (!to.is_ok()) return to.status();
    found.push_back({entry.name, to->starts_with('/') ? *to : links + "/" + *to, true});
  }
  // PostgreSQL makes the links anew from a tablespace_map: where both name one, the map wins.
  for (auto& [oid, from] : parse_tablespace_map(map_text)) {
    // By name, not by the binding: clang before 16 captures no structured binding in a lambda.
    const std::string& map_oid = oid;
    auto same = std::find_if(found.begin(), found.end(),
                             [&map_oid](const TablespaceCopy& t) { return t.oid == map_oid; });
    if (same != found.end()) {
      same->from = from;
    } else {
      found.push_back({oid, from, false});
    }
  }
  for (const TablespaceCopy& t : found) {
    Result<io::EntryType> type = io::entry_type(t.from);
    Result<std::vector<io::DirEntry>> listed = Status(Code::kInvalidArgument, "it is not a folder");
    if (type.is_ok() && *type == io::EntryType::kDirectory) listed = io::list_directory(t.from);
    if (listed.is_ok()) continue;
    const Status& problem = type.is_ok() ? listed.status() : type.status();
    const std::string what =
        "tablespace " + t.oid + " of the base backup \"" + source + "\" in \"" + t.from + "\"";
    return Status(problem.code(), problem.code() == Code::kNotFound
                                      ? what + " does not exist"
                                      : "could not read " + what + ": " + problem.message())
        .with_detail(t.linked ? "The link \"" + links + "/" + t.oid + "\" points there."
                              : "The tablespace_map of the backup names it.")
        .with_hint(
            "pg_basebackup -Fp writes each tablespace where its --tablespace-mapping says (else "
            "where the server has it): the drill copies it from there, as the server's user.");
  }
  return found;
}

std::string scratch_tablespace_map(const std::vector<std::string>& oids, const std::string& dest) {
  std::string map;
  for (const std::string& oid : oids)
    map += oid + " " + map_escaped(tablespace_dir(dest, oid)) + "\n";
  return map;
}

}  // namespace walpipe::pg
