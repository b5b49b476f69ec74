// What the prefetcher knew of a file it spooled (pipeline/prefetch.h), kept beside it in the
// spool: the archive it came from, that archive's walpipe.json, and the XXH3-128 and size of the
// WAL that passed every check of get_file. A restore_command served from the spool then needs
// nothing from the archive: no library loaded, no connection, no request to a bucket.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "archive/identity.h"
#include "codec/fingerprint.h"
#include "io/io.h"
#include "wal/names.h"

namespace walpipe::pipeline {

struct SpoolRecord {
  std::string archive;  // Store::location() of the archive the file came from
  archive::Identity identity;
  Fingerprint fingerprint;
  uint64_t size = 0;
};

// Where the record of the spooled `name` is: a dot file, never served and never taken for WAL.
std::string spool_record_path(const std::string& spool, const wal::WalFileName& name);
// Whether `file_name` (no folder) is a record, or a record being written.
bool is_spool_record(const std::string& file_name);
// The file name of the spooled WAL file a record is about ("" when it is none).
std::string spooled_name_of_record(const std::string& file_name);

// The record as its file holds it, and back; parse gives nullopt for anything
// format_spool_record did not write (`path` names the file in the identity's errors, dropped).
std::string format_spool_record(const SpoolRecord& record);
std::optional<SpoolRecord> parse_spool_record(std::string_view text, const std::string& path);

// Writes the record of `name` under its final name, for the prefetcher to do before the WAL file
// gets its own: a spooled file then never lacks its record. `temp` is the prefetcher's temporary
// name for it (removed by any prune). Not synced: a record lost or torn in a crash is no record,
// and one whose file was torn no longer matches its bytes.
Status write_spool_record(io::Io& io, const std::string& spool, const wal::WalFileName& name,
                          const std::string& temp, const SpoolRecord& record);

// The record of `name`, or nullopt when there is none or it cannot be read as one.
std::optional<SpoolRecord> read_spool_record(io::Io& io, const std::string& spool,
                                             const wal::WalFileName& name);

}  // namespace walpipe::pipeline
