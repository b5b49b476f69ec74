#include "pipeline/backups.h"

#include <cstdio>
#include <optional>
#include <span>

#include "io/fs.h"
#include "pipeline/backup_tar.h"

namespace walpipe::pipeline {

namespace {

std::string hex8(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08X", v);
  return buf;
}

bool is_file(const std::string& path) {
  Result<io::EntryType> type = io::entry_type(path);
  return type.is_ok() && *type == io::EntryType::kFile;
}

// backup_label of a tar-format backup, the first member of its base.tar; named in messages
// "FILE:backup_label".
Result<KnownBackup> read_tar_label(const std::string& dir, const TarBackup& tar) {
  WALPIPE_ASSIGN_OR_RETURN(std::string text,
                           read_tar_member(tar.base, "backup_label", kMaxTextFileSize));
  WALPIPE_ASSIGN_OR_RETURN(
      wal::BackupInfo info,
      wal::parse_backup_file(std::as_bytes(std::span(text)), tar.base.path + ":backup_label",
                             wal::BackupFileKind::kLabel));
  return KnownBackup{dir, false, std::move(info)};
}

}  // namespace

Result<KnownBackup> read_backup_object(FileLoader& loader, archive::Store& store,
                                       const wal::WalFileName& name, uint64_t segment_size) {
  const std::string path = store.object_location(name);
  Result<archive::StoredObject> stored = store.read(name, kMaxTextFileSize + (1 << 16));
  if (!stored.is_ok() && stored.status().code() == Code::kCorruption)
    return Status(Code::kCorruption, "archive object \"" + path + "\" is too large");
  if (!stored.is_ok()) return std::move(stored).take_status();
  WALPIPE_ASSIGN_OR_RETURN(LoadedFile loaded,
                           loader.load_object_bytes(stored->bytes(), path, true));
  WALPIPE_ASSIGN_OR_RETURN(
      wal::BackupInfo info,
      wal::parse_backup_file(loader.data(), path, wal::BackupFileKind::kHistoryFile));
  const std::string prefix = "invalid backup history file \"" + path + "\": ";
  if (info.start_segment != name.segment_name())
    return Status(Code::kCorruption, prefix + "START WAL LOCATION is in " + info.start_segment +
                                         ", its name says " + name.segment_name());
  if (wal::valid_segment_size(segment_size) && info.start_lsn % segment_size != name.backup_offset)
    return Status(Code::kCorruption, prefix + "START WAL LOCATION " +
                                         wal::format_lsn(info.start_lsn) + " is not at offset " +
                                         hex8(name.backup_offset) +
                                         " of its segment, as its name says");
  return KnownBackup{name.to_string(), true, std::move(info)};
}

Result<KnownBackup> read_backup_folder(const std::string& dir) {
  WALPIPE_ASSIGN_OR_RETURN(io::EntryType type, io::entry_type(dir));
  if (type != io::EntryType::kDirectory)
    return Status(Code::kInvalidArgument, "backup \"" + dir + "\" is not a directory");
  WALPIPE_ASSIGN_OR_RETURN(std::optional<TarBackup> tar, find_tar_backup(dir));
  if (tar) return read_tar_label(dir, *tar);
  const std::string label_path = dir + "/backup_label";
  FileLoader loader;
  Result<LoadedFile> loaded = loader.load(label_path, true);
  if (!loaded.is_ok() && loaded.status().code() == Code::kNotFound) {
    if (is_file(dir + "/backup_manifest"))
      return Status(Code::kUnsupported,
                    "backup \"" + dir + "\" has a backup_manifest but no backup_label")
          .with_detail(
              "walpipe reads the backup's positions and times from backup_label, in the folder "
              "or in base.tar.")
          .with_hint("Give the folder pg_basebackup wrote, in plain (-Fp) or tar (-Ft) format.");
    return Status(Code::kNotFound, "directory \"" + dir + "\" holds no backup_label")
        .with_hint("Give the folder pg_basebackup wrote (the one holding PG_VERSION or base.tar).");
  }
  if (!loaded.is_ok()) return std::move(loaded).take_status();
  WALPIPE_ASSIGN_OR_RETURN(
      wal::BackupInfo info,
      wal::parse_backup_file(loader.data(), label_path, wal::BackupFileKind::kLabel));
  return KnownBackup{dir, false, std::move(info)};
}

}  // namespace walpipe::pipeline
