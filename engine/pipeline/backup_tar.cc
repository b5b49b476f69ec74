#include "pipeline/backup_tar.h"

#include <algorithm>
#include <array>
#include <utility>

#include "io/capture.h"
#include "io/fs.h"

namespace walpipe::pipeline {

namespace {

struct Compression {
  const char* suffix;
  const char* option;  // nullptr: plain tar
};

// GNU tar 1.34 recognizes gzip and zstd when extracting but not lz4: every compression is named.
constexpr std::array<Compression, 4> kCompressions = {{
    {".tar", nullptr},
    {".tar.gz", "--gzip"},
    {".tar.zst", "--zstd"},
    {".tar.lz4", "--use-compress-program=lz4"},
}};

// "STEM" and its TarFile when `name` is STEM.tar or STEM.tar.gz, .zst, .lz4.
std::optional<std::pair<std::string, TarFile>> as_tar(const std::string& dir,
                                                      const std::string& name) {
  for (const Compression& c : kCompressions) {
    const std::string suffix = c.suffix;
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
    TarFile file{dir + "/" + name, {}};
    if (c.option != nullptr) file.options.push_back(c.option);
    return std::make_pair(name.substr(0, name.size() - suffix.size()), std::move(file));
  }
  return std::nullopt;
}

bool is_oid(const std::string& stem) {
  return !stem.empty() && stem.size() <= 10 &&
         std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// tar's standard error as one DETAIL line, without its closing summary or a line it repeats.
std::string tar_words(const std::string& err) {
  std::string out;
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    const std::string line = err.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.find("Exiting with failure status") != std::string::npos ||
        line.find("Error is not recoverable") != std::string::npos || out == line ||
        out.ends_with("; " + line))
      continue;
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

}  // namespace

Result<std::optional<TarBackup>> find_tar_backup(const std::string& dir) {
  WALPIPE_ASSIGN_OR_RETURN(std::vector<io::DirEntry> entries, io::list_directory(dir));
  TarBackup backup;
  bool have_base = false;
  for (const io::DirEntry& entry : entries) {
    if (entry.type != io::EntryType::kFile) continue;
    if (entry.name == "backup_label") return std::optional<TarBackup>();
    std::optional<std::pair<std::string, TarFile>> tar = as_tar(dir, entry.name);
    if (!tar) continue;
    if (tar->first == "base" && have_base)
      return Status(Code::kInvalidArgument,
                    "backup \"" + dir + "\" holds more than one base.tar: \"" + backup.base.path +
                        "\" and \"" + tar->second.path + "\"")
          .with_hint("Leave only the base.tar file pg_basebackup wrote in the folder.");
    if (tar->first == "base") {
      backup.base = std::move(tar->second);
      have_base = true;
    } else if (tar->first == "pg_wal") {
      backup.wal = std::move(tar->second);
    } else if (is_oid(tar->first)) {
      backup.tablespaces.push_back({tar->first, std::move(tar->second)});
    }
  }
  if (!have_base) return std::optional<TarBackup>();
  return std::optional<TarBackup>(std::move(backup));
}

std::vector<std::string> tar_extract_argv(const TarFile& file, const std::string& into) {
  std::vector<std::string> argv = {kTarProgram};
  argv.insert(argv.end(), file.options.begin(), file.options.end());
  argv.insert(argv.end(), {"-x", "-f", file.path, "-C", into});
  return argv;
}

std::vector<std::string> tar_environment() { return {"LC_ALL=C"}; }

Result<std::string> read_tar_member(const TarFile& file, const std::string& member, size_t limit) {
  io::SpawnOptions options;
  options.argv = {kTarProgram};
  options.argv.insert(options.argv.end(), file.options.begin(), file.options.end());
  // The first copy is the one: tar stops there instead of reading the whole backup.
  options.argv.insert(options.argv.end(),
                      {"--occurrence=1", "-x", "-O", "-f", file.path, "--", member});
  options.environment = tar_environment();
  Result<io::Captured> ran = io::run_captured(options, limit, 4096);
  if (!ran.is_ok())
    return Status(Code::kIoError, ran.status().message())
        .with_hint("walpipe reads a tar-format backup with GNU tar: install the tar package.");
  if (ran->out_cut)
    return Status(Code::kCorruption, "member \"" + member + "\" of tar file \"" + file.path +
                                         "\" is larger than " + std::to_string(limit) + " bytes")
        .with_hint("Give the folder of a base backup as pg_basebackup wrote it.");
  if (ran->ending.ok()) return std::move(ran->out);
  const std::string detail = tar_words(ran->err);
  if (detail.find("Cannot open") != std::string::npos)
    return Status(Code::kIoError, "could not open tar file \"" + file.path + "\"")
        .with_detail(detail)
        .with_hint("Run walpipe as a user who can read the backup's files.");
  if (detail.find("Cannot exec") != std::string::npos)
    return Status(Code::kIoError, "could not decompress tar file \"" + file.path + "\"")
        .with_detail(detail)
        .with_hint("Install the program of its compression (gzip, zstd or lz4).");
  // Only that: a file that is no tar at all also ends with it.
  if (detail == std::string(kTarProgram) + ": " + member + ": Not found in archive")
    return Status(Code::kNotFound, "tar file \"" + file.path + "\" holds no \"" + member + "\"")
        .with_hint(
            "Give the folder of a base backup as pg_basebackup -Ft wrote it, with its "
            "base.tar complete.");
  return Status(Code::kCorruption, "could not read \"" + member + "\" from tar file \"" +
                                       file.path + "\" (tar ended with " + ran->ending.text() + ")")
      .with_detail(detail)
      .with_hint(
          "The file is damaged, truncated or not a tar file of its name's compression; "
          "take the base backup again.");
}

}  // namespace walpipe::pipeline
