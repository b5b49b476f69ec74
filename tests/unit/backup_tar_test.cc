// Reading a tar-format base backup (pipeline/backup_tar.h) over tar files GNU tar makes here:
// which files of a folder make the backup, a member read out of each compression pg_basebackup
// writes, and the errors of a missing member, an over-long one, a file that is no tar and a
// missing decompressor; and io::run_captured's bound on a program that prints without end.
#include "pipeline/backup_tar.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "io/capture.h"
#include "pipeline/backups.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::pipeline {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::run_command;
using testing::ScratchDir;

constexpr const char* kLabel =
    "START WAL LOCATION: 0/35000028 (file 000000010000000000000035)\n"
    "CHECKPOINT LOCATION: 0/35000060\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-24 15:54:16 UTC\n"
    "LABEL: tar unit test\n"
    "START TIMELINE: 1\n";

class BackupTar : public ::testing::Test {
 protected:
  // DIR/backup (made now) with base.tar holding backup_label and PG_VERSION, compressed by the
  // program `compressor` (none when "") into base.tar`suffix`.
  std::string make_backup(const std::string& compressor = "", const std::string& suffix = "") {
    const std::string members = dir_.file("members");
    fs::create_directories(members);
    ScratchDir::write_file(members + "/backup_label", kLabel);
    ScratchDir::write_file(members + "/PG_VERSION", "15\n");
    const std::string backup = dir_.file("backup");
    fs::create_directories(backup);
    const std::string base = backup + "/base.tar";
    CommandResult r =
        run_command({"/bin/tar", "-cf", base, "-C", members, "backup_label", "PG_VERSION"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (!compressor.empty()) {
      // Each program's own way to replace FILE by FILE.SUFFIX.
      std::vector<std::string> argv = {compressor, "-q", base};
      if (compressor != "/usr/bin/gzip") argv = {compressor, "-q", "--rm", base, base + suffix};
      if (compressor == "/usr/bin/zstd") argv.insert(argv.end() - 1, "-o");
      r = run_command(argv);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    return backup;
  }

  ScratchDir dir_;
};

TEST_F(BackupTar, FindsTheTarFilesOfABackupAndOnlyThose) {
  const std::string backup = make_backup();
  for (const char* name : {"pg_wal.tar.gz", "16384.tar.lz4", "16390.tar", "other.tar", "x.tgz"})
    ScratchDir::write_file(backup + "/" + name, "");
  Result<std::optional<TarBackup>> found = find_tar_backup(backup);
  ASSERT_TRUE(found.is_ok()) << found.status().to_string();
  ASSERT_TRUE(found->has_value());
  const TarBackup& tar = **found;
  EXPECT_EQ(tar.base.path, backup + "/base.tar");
  EXPECT_EQ(tar.base.options, std::vector<std::string>());
  ASSERT_TRUE(tar.wal.has_value());
  EXPECT_EQ(tar.wal->options, std::vector<std::string>{"--gzip"});
  ASSERT_EQ(tar.tablespaces.size(), 2u);
  EXPECT_EQ(tar.tablespaces[0].oid, "16384");
  EXPECT_EQ(tar.tablespaces[0].file.options,
            std::vector<std::string>{"--use-compress-program=lz4"});
  EXPECT_EQ(tar.tablespaces[1].oid, "16390");
  EXPECT_EQ(tar_extract_argv(tar.tablespaces[0].file, "/x"),
            (std::vector<std::string>{"/bin/tar", "--use-compress-program=lz4", "-x", "-f",
                                      backup + "/16384.tar.lz4", "-C", "/x"}));

  ScratchDir::write_file(backup + "/base.tar.zst", "");
  found = find_tar_backup(backup);
  ASSERT_FALSE(found.is_ok());
  EXPECT_EQ(found.status().to_string(),
            "backup \"" + backup + "\" holds more than one base.tar: \"" + backup +
                "/base.tar\" and \"" + backup +
                "/base.tar.zst\"\nHINT: Leave only the base.tar file pg_basebackup wrote in the "
                "folder.");
  // A backup_label of the folder's own makes it a plain backup, whatever else is there.
  ScratchDir::write_file(backup + "/backup_label", kLabel);
  found = find_tar_backup(backup);
  ASSERT_TRUE(found.is_ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(BackupTar, ReadsBackupLabelOutOfEveryCompression) {
  struct Case {
    const char* program;
    const char* suffix;
  };
  for (const Case& c : {Case{"", ""}, Case{"/usr/bin/gzip", ".gz"}, Case{"/usr/bin/zstd", ".zst"},
                        Case{"/usr/bin/lz4", ".lz4"}}) {
    SCOPED_TRACE(c.suffix);
    fs::remove_all(dir_.file("backup"));
    const std::string backup = make_backup(c.program, c.suffix);
    ASSERT_TRUE(fs::exists(backup + "/base.tar" + c.suffix));
    Result<KnownBackup> known = read_backup_folder(backup);
    ASSERT_TRUE(known.is_ok()) << known.status().to_string();
    EXPECT_EQ(known->source, backup);
    EXPECT_FALSE(known->from_archive);
    EXPECT_EQ(known->info.label, "tar unit test");
    EXPECT_EQ(known->info.start_segment, "000000010000000000000035");
    Result<std::optional<TarBackup>> tar = find_tar_backup(backup);
    ASSERT_TRUE(tar.is_ok() && tar->has_value());
    Result<std::string> version = read_tar_member((*tar)->base, "PG_VERSION", 16);
    ASSERT_TRUE(version.is_ok()) << version.status().to_string();
    EXPECT_EQ(*version, "15\n");
  }
}

TEST_F(BackupTar, AMissingMemberAnOverLongOneAndAFileThatIsNoTarAreErrorsNamingTheFile) {
  const std::string backup = make_backup();
  const TarFile base{backup + "/base.tar", {}};
  Result<std::string> read = read_tar_member(base, "tablespace_map", 1024);
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().code(), Code::kNotFound);
  EXPECT_EQ(read.status().to_string(),
            "tar file \"" + base.path +
                "\" holds no \"tablespace_map\"\nHINT: Give the folder of a base backup as "
                "pg_basebackup -Ft wrote it, with its base.tar complete.");

  read = read_tar_member(base, "backup_label", 100);
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().code(), Code::kCorruption);
  EXPECT_EQ(read.status().message(),
            "member \"backup_label\" of tar file \"" + base.path + "\" is larger than 100 bytes");

  ScratchDir::write_file(base.path, std::string(2048, 'x'));
  read = read_tar_member(base, "backup_label", 1024);
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().code(), Code::kCorruption);
  EXPECT_EQ(read.status().to_string(),
            "could not read \"backup_label\" from tar file \"" + base.path +
                "\" (tar ended with exit code 2)\nDETAIL: /bin/tar: This does not look like a tar "
                "archive; /bin/tar: Skipping to next header; /bin/tar: backup_label: Not found "
                "in archive\nHINT: The file is "
                "damaged, truncated or not a tar file of its name's compression; take the base "
                "backup again.");

  const TarFile gz{backup + "/base.tar.gz", {"--gzip"}};
  ScratchDir::write_file(gz.path, "not gzip");
  read = read_tar_member(gz, "backup_label", 1024);
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().detail(),
            "gzip: stdin: not in gzip format; /bin/tar: Child returned status 1");

  // Its decompressor missing: not the file's fault.
  const TarFile lz4{backup + "/base.tar.lz4", {"--use-compress-program=walpipe-no-such-program"}};
  ScratchDir::write_file(lz4.path, "");
  read = read_tar_member(lz4, "backup_label", 1024);
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().code(), Code::kIoError);
  EXPECT_EQ(read.status().message(), "could not decompress tar file \"" + lz4.path + "\"");
  EXPECT_EQ(read.status().hint(), "Install the program of its compression (gzip, zstd or lz4).");
}

TEST(RunCaptured, KillsAProgramThatPrintsPastItsLimit) {
  io::SpawnOptions options;
  options.argv = {"/usr/bin/yes", "walpipe"};
  Result<io::Captured> ran = io::run_captured(options, 100000, 100);
  ASSERT_TRUE(ran.is_ok()) << ran.status().to_string();
  EXPECT_TRUE(ran->out_cut);
  EXPECT_EQ(ran->out.size(), 100000u);
  EXPECT_TRUE(ran->out.starts_with("walpipe\nwalpipe\n"));
  EXPECT_EQ(ran->ending.signal, 9);

  options.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
  ran = io::run_captured(options, 100, 100);
  ASSERT_TRUE(ran.is_ok()) << ran.status().to_string();
  EXPECT_FALSE(ran->out_cut);
  EXPECT_EQ(ran->out, "out\n");
  EXPECT_EQ(ran->err, "err\n");
  EXPECT_EQ(ran->ending.exit_code, 3);
}

}  // namespace
}  // namespace walpipe::pipeline
