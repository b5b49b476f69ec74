// The tablespaces of a drill's copy of a base backup (pg/drill_setup.h). Recovery writes into
// them, so each is copied into a folder "tablespace-OID" of the drill's scratch folder, and the
// copy's pg_tblspc link or tablespace_map is pointed there: never at the backup's own folder,
// nor at a production server's, which is where a backup's links and map point.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace walpipe::pg {

struct TablespaceCopy {
  std::string oid;
  std::string from;  // the folder of a plain backup's tablespace
  bool linked;       // pg_tblspc/OID is a link to `from` (else only tablespace_map names it)
};

// The folder beside the copy's data directory `dest` that receives tablespace `oid`.
std::string tablespace_dir(const std::string& dest, const std::string& oid);

// The lines of a tablespace_map's `text`: OID and folder, the folder's escapes undone.
std::vector<std::pair<std::string, std::string>> parse_tablespace_map(std::string_view text);

// The tablespaces of the plain backup in `source`, whose tablespace_map (if any) holds
// `map_text`: its pg_tblspc links, and what the map names (the map wins where both name one,
// as PostgreSQL makes the links anew from it). An error naming the tablespace, the link or the
// map, with a HINT, when one's folder does not exist or cannot be read.
Result<std::vector<TablespaceCopy>> plain_tablespaces(const std::string& source,
                                                      std::string_view map_text);

// The copy's tablespace_map naming each of `oids` in its folder beside `dest`.
std::string scratch_tablespace_map(const std::vector<std::string>& oids, const std::string& dest);

}  // namespace walpipe::pg
