// pg::parse_tablespace_map over arbitrary bytes: a tablespace_map comes out of a base backup
// (its folder or base.tar), which drill reads as given. What parses has an OID and a folder, and
// a map drill writes for the OIDs it found reads back as those OIDs in their scratch folders.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/check.h"
#include "pg/drill_tablespaces.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace walpipe;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::pair<std::string, std::string>> lines = pg::parse_tablespace_map(text);
  std::vector<std::string> oids;
  for (const auto& [oid, folder] : lines) {
    WALPIPE_CHECK(!oid.empty());
    WALPIPE_CHECK(oid.find(' ') == std::string::npos);
    // What a map may hold unescaped is a folder's name; an OID with a line break is no OID.
    if (oid.find_first_of("\n\r\\") == std::string::npos) oids.push_back(oid);
  }
  const std::string dest = lines.empty() ? "/scratch/data" : "/scratch/" + lines.front().second;
  const std::vector<std::pair<std::string, std::string>> again =
      pg::parse_tablespace_map(pg::scratch_tablespace_map(oids, dest));
  WALPIPE_CHECK(again.size() == oids.size());
  for (size_t i = 0; i < oids.size(); ++i) {
    WALPIPE_CHECK(again[i].first == oids[i]);
    WALPIPE_CHECK(again[i].second == pg::tablespace_dir(dest, oids[i]));
  }
  return 0;
}
