// The base backups walpipe knows: from the backup history files PostgreSQL archives when a backup
// ends (SEGMENT.OFFSET.backup objects), and from a backup's own folder, which a backup taken on
// a standby is the only record of (a standby archives no .backup file).
#pragma once

#include <cstdint>
#include <string>

#include "archive/store.h"
#include "base/status.h"
#include "pipeline/file_loader.h"
#include "wal/backup_label.h"
#include "wal/names.h"

namespace walpipe::pipeline {

struct KnownBackup {
  std::string source;  // the .backup file's WAL name, or the folder's path
  bool from_archive = false;
  wal::BackupInfo info;
};

// Reads the archive object holding the backup history file `name` (checked against its
// recorded XXH3-128) and parses it strictly; then checks it against its name: the segment and
// the offset there (at `segment_size`) are START WAL LOCATION's. Errors name the object.
Result<KnownBackup> read_backup_object(FileLoader& loader, archive::Store& store,
                                       const wal::WalFileName& name, uint64_t segment_size);

// Reads DIR/backup_label of a plain-format base backup. A folder holding only backup_manifest
// or a tar-format backup (base.tar*) is kUnsupported and says so; a folder with neither is
// kNotFound.
Result<KnownBackup> read_backup_folder(const std::string& dir);

}  // namespace walpipe::pipeline
