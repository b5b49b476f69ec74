// Tar-format base backups (pg_basebackup -Ft) against a real PostgreSQL 15 server archiving
// through walpipe push, with a tablespace: a plain tar taken without WAL and a gzip-compressed one
// streaming its WAL into pg_wal.tar.gz are listed with the positions of their backup_label and
// planned from with restore-plan and expire, then a drill from each extracts base.tar, pg_wal.tar
// and the tablespace's OID.tar into its scratch folder (the tablespace there, not the server's
// own), recovers and answers its query, and without its OID.tar refuses to recover; a base.tar
// whose backup_label is missing, damaged or cut short stops list and drill before anything
// starts, naming the file. A plain backup (pg_basebackup -Fp with --tablespace-mapping) has its
// tablespace copied into the drill's scratch folder: the backup's tablespace folder and the
// server's stay as they were, and a link to a folder that is gone stops the drill.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/archiving_primary.h"
#include "support/pg_cluster.h"
#include "support/run_command.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kWait = 60;  // seconds: the bound on every poll below
constexpr const char* kCheckSql =
    "SELECT (SELECT count(*) FROM t), (SELECT sum(id) FROM u), "
    "(SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'ts')";

// The value of "KEY: value" in a backup_label.
std::string label_value(const std::string& text, const std::string& key) {
  size_t at = text.find(key + ": ");
  if (at == std::string::npos) return "";
  at += key.size() + 2;
  return text.substr(at, text.find('\n', at) - at);
}

// Every entry below `dir` with its size and time of last change, sorted: a folder no one wrote in
// lists the same.
std::string listing(const std::string& dir) {
  std::vector<std::string> lines;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir))
    lines.push_back(e.path().string() + " " +
                    (e.is_regular_file() ? std::to_string(e.file_size()) : "-") + " " +
                    std::to_string(e.last_write_time().time_since_epoch().count()));
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

class PgDrillTar : public ArchivingPrimaryTest {
 protected:
  // pg_basebackup -Ft into `dir` with `extra` options, asserted to succeed.
  void tarbackup(const std::string& dir, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"pg_basebackup", "-D", dir, "-Ft", "-c", "fast"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    CommandResult r = primary().run_client(argv);
    ASSERT_EQ(r.exit_code, 0) << "pg_basebackup\n" << describe(r);
  }

  // backup_label as tar reads it out of `tarfile`.
  static std::string label_in(const std::string& tarfile) {
    CommandResult r = run_command({"/bin/tar", "-xOf", tarfile, "backup_label"});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return r.out;
  }

  // The error walpipe list gives for the backup in `dir`, after its exit code is checked.
  CommandResult list_backup(const std::string& dir) {
    return primary().walpipe({"list", "--archive", primary().archive(), "--backup", dir});
  }
};

TEST_F(PgDrillTar, PlainAndGzipTarBackupsAreListedPlannedAndDrilled) {
  ArchivingPrimary& p = primary();
  const std::string& archive = p.archive();
  const std::string ts_dir = workspace().make_dir("ts");
  ASSERT_EQ(p.query("CREATE TABLESPACE ts LOCATION '" + ts_dir + "'"), "");
  ASSERT_EQ(p.query("CREATE TABLE u(id int) TABLESPACE ts"), "");
  ASSERT_EQ(p.query("INSERT INTO t VALUES (1); INSERT INTO u VALUES (7)"), "");
  const std::string plain = workspace().file("tar");
  const std::string gzip = workspace().file("tar-gz");
  ASSERT_NO_FATAL_FAILURE(tarbackup(plain, {"-X", "none", "-l", "plain tar"}));
  ASSERT_NO_FATAL_FAILURE(tarbackup(gzip, {"-X", "stream", "-z", "-l", "gzip tar"}));
  const std::string oid = p.query("SELECT oid FROM pg_tablespace WHERE spcname = 'ts'");
  EXPECT_TRUE(fs::is_regular_file(plain + "/base.tar"));
  EXPECT_TRUE(fs::is_regular_file(plain + "/" + oid + ".tar"));
  EXPECT_TRUE(fs::is_regular_file(gzip + "/base.tar.gz"));
  EXPECT_TRUE(fs::is_regular_file(gzip + "/pg_wal.tar.gz"));
  EXPECT_TRUE(fs::is_regular_file(gzip + "/" + oid + ".tar.gz"));
  ASSERT_EQ(p.query("INSERT INTO t SELECT g FROM generate_series(100, 20000) g"), "");
  ASSERT_EQ(p.query("INSERT INTO u VALUES (35)"), "");
  ASSERT_FALSE(p.query("SELECT pg_switch_wal()").empty());
  CommandResult r;
  ASSERT_NO_FATAL_FAILURE(p.walpipe_until(
      {"restore-plan", "--archive", archive, "--backup", gzip, "--latest"},
      [](const CommandResult& result) { return result.exit_code == 0; }, &r, kWait));
  EXPECT_NE(r.out.find("restore_command = "), std::string::npos) << describe(r);

  for (const std::string& backup : {plain, gzip}) {
    SCOPED_TRACE(backup);
    const std::string label = label_in(backup + (backup == plain ? "/base.tar" : "/base.tar.gz"));
    const std::string start = label_value(label, "START WAL LOCATION");
    ASSERT_FALSE(start.empty()) << label;
    r = list_backup(backup);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("backup \"" + backup + "\": label \"" + label_value(label, "LABEL") +
                         "\", from primary, start " + start.substr(0, start.find(' ')) + " at " +
                         label_value(label, "START TIME") +
                         ", stop unknown (backup_label), timeline 1, needs WAL from " +
                         start.substr(start.find("(file ") + 6, 24) + "\n"),
              std::string::npos)
        << r.out;

    r = p.walpipe(
        {"drill", "--archive", archive, "--backup", backup, "--sql", kCheckSql, "--json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("\"passed\":true"), std::string::npos) << r.out;
    // The tablespace was recovered in the drill's scratch folder, not in the server's own.
    const std::string answerstart =
        "\"answer\":[[\"19902\",\"42\",\"" + workspace().path() + "/walpipe-drill-";
    EXPECT_NE(r.out.find(answerstart), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("/tablespace-" + oid + "\"]]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"copy_seconds\":"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"error\":null}"), std::string::npos) << r.out;
  }
  r = p.walpipe(
      {"expire", "--archive", archive, "--backup", plain, "--keep-backups", "1", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("where backup \"" + plain + "\" (--backup) begins\n"), std::string::npos)
      << r.out;

  // Without its OID.tar, recovery would write the tablespace where the tablespace_map of
  // base.tar says: into the server's own folder.
  fs::rename(gzip + "/" + oid + ".tar.gz", workspace().file(oid + ".tar.gz"));
  r = p.walpipe({"drill", "--archive", archive, "--backup", gzip});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("\nwalpipe drill: error: the base backup \"" + gzip + "\" has no " + oid +
                       ".tar for tablespace " + oid +
                       "\nDETAIL: The tablespace_map in its base.tar names tablespace " + oid +
                       ".\nHINT: Give the folder pg_basebackup -Ft wrote with all of its tar "
                       "files.\n"),
            std::string::npos)
      << r.err;
  for (const auto& entry : fs::directory_iterator(workspace().path()))
    EXPECT_FALSE(entry.path().filename().string().starts_with("walpipe-drill-")) << entry.path();
  EXPECT_EQ(p.query("SELECT sum(id) FROM u"), "42");
}

TEST_F(PgDrillTar, ABaseTarWithoutAWholeBackupLabelStopsListAndDrill) {
  ArchivingPrimary& p = primary();
  const std::string backup = workspace().file("tar");
  ASSERT_NO_FATAL_FAILURE(tarbackup(backup, {"-X", "none"}));
  const std::string base = backup + "/base.tar";
  const std::string label = label_in(base);
  ASSERT_FALSE(label.empty());
  const std::string whole = workspace().file("base.tar.whole");
  CommandResult r;
  fs::copy_file(base, whole);

  // Cut inside backup_label, the first member: its header, then part of its text.
  fs::resize_file(base, 512 + label.size() / 2);
  r = list_backup(backup);
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_EQ(r.err, "walpipe list: error: could not read \"backup_label\" from tar file \"" + base +
                       "\" (tar ended with exit code 2)\nDETAIL: /bin/tar: Unexpected EOF in "
                       "archive\nHINT: The file is damaged, truncated or not a tar file of its "
                       "name's compression; take the base backup again.\n");
  r = p.walpipe({"drill", "--archive", p.archive(), "--backup", backup});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_EQ(r.err, "walpipe drill: error: could not read \"backup_label\" from tar file \"" + base +
                       "\" (tar ended with exit code 2)\nDETAIL: /bin/tar: Unexpected EOF "
                       "in archive\nHINT: The file is damaged, truncated or not a tar file of its "
                       "name's compression; take the base backup again.\n");

  // A base.tar without backup_label: the backup's files but that one.
  const std::string extracted = workspace().make_dir("extracted");
  ASSERT_EQ(run_command({"/bin/tar", "-xf", whole, "-C", extracted}).exit_code, 0);
  fs::remove(extracted + "/backup_label");
  ASSERT_EQ(run_command({"/bin/tar", "-cf", base, "-C", extracted, "."}).exit_code, 0);
  chown_to_postgres(base);
  r = list_backup(backup);
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_EQ(r.err, "walpipe list: error: tar file \"" + base +
                       "\" holds no \"backup_label\"\nHINT: Give the folder of a base backup as "
                       "pg_basebackup -Ft wrote it, with its base.tar complete.\n");

  // A backup_label whose START WAL LOCATION was damaged.
  std::string damaged = label;
  damaged.replace(damaged.find("START WAL LOCATION: ") + 20, 1, "X");
  write_text_file(extracted + "/backup_label", damaged);
  ASSERT_EQ(run_command({"/bin/tar", "-cf", base, "-C", extracted, "backup_label", "PG_VERSION"})
                .exit_code,
            0);
  chown_to_postgres(base);
  r = list_backup(backup);
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_TRUE(r.err.starts_with("walpipe list: error: invalid backup label file \"" + base +
                                ":backup_label\": line 1: START WAL LOCATION "))
      << r.err;
  p.stop();
}

TEST_F(PgDrillTar, APlainBackupsTablespaceIsCopiedIntoTheScratchFolder) {
  ArchivingPrimary& p = primary();
  const std::string ts_dir = workspace().make_dir("ts");
  const std::string ts_copy = workspace().file("ts-copy");
  ASSERT_EQ(p.query("CREATE TABLESPACE ts LOCATION '" + ts_dir + "'"), "");
  ASSERT_EQ(p.query("CREATE TABLE u(id int) TABLESPACE ts; INSERT INTO u VALUES (7)"), "");
  const std::string backup = workspace().file("plain");
  CommandResult r = p.run_client({"pg_basebackup", "-D", backup, "-Fp", "-X", "none", "-c", "fast",
                                  "--tablespace-mapping=" + ts_dir + "=" + ts_copy});
  ASSERT_EQ(r.exit_code, 0) << "pg_basebackup\n" << describe(r);
  const std::string oid = p.query("SELECT oid FROM pg_tablespace WHERE spcname = 'ts'");
  ASSERT_EQ(fs::read_symlink(backup + "/pg_tblspc/" + oid), ts_copy);
  ASSERT_EQ(p.query("INSERT INTO u VALUES (35)"), "");
  ASSERT_FALSE(p.query("SELECT pg_switch_wal()").empty());
  ASSERT_NO_FATAL_FAILURE(p.walpipe_until(
      {"restore-plan", "--archive", p.archive(), "--backup", backup, "--latest"},
      [](const CommandResult& result) { return result.exit_code == 0; }, &r, kWait));
  // The drill needs the archive, not the server: stopped, its folder changes only if the drill
  // writes into it.
  p.stop();
  const std::string copy_before = listing(ts_copy);
  const std::string live_before = listing(ts_dir);
  ASSERT_NE(copy_before.find("/PG_15_"), std::string::npos) << copy_before;

  const std::string sql =
      "SELECT (SELECT sum(id) FROM u), "
      "(SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'ts')";
  r = p.walpipe({"drill", "--archive", p.archive(), "--backup", backup, "--sql", sql, "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("\"answer\":[[\"42\",\"" + workspace().path() + "/walpipe-drill-"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("/tablespace-" + oid + "\"]]"), std::string::npos) << r.out;
  EXPECT_EQ(listing(ts_copy), copy_before);
  EXPECT_EQ(listing(ts_dir), live_before);
  ASSERT_EQ(fs::read_symlink(backup + "/pg_tblspc/" + oid), ts_copy);

  // A tar backup extracted by hand: no link, a tablespace_map naming the server's own folder.
  const std::string mapped = workspace().file("mapped");
  ASSERT_EQ(run_command({"/bin/cp", "-a", backup, mapped}).exit_code, 0);
  fs::remove(mapped + "/pg_tblspc/" + oid);
  write_text_file(mapped + "/tablespace_map", oid + " " + ts_dir + "\n");
  r = p.walpipe({"drill", "--archive", p.archive(), "--backup", mapped, "--sql", sql, "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("/tablespace-" + oid + "\"]]"), std::string::npos) << r.out;
  EXPECT_EQ(listing(ts_dir), live_before);

  fs::rename(ts_copy, ts_copy + "-moved");
  r = p.walpipe({"drill", "--archive", p.archive(), "--backup", backup});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_TRUE(r.err.ends_with(
      "\nwalpipe drill: error: tablespace " + oid + " of the base backup \"" + backup + "\" in \"" +
      ts_copy + "\" does not exist\nDETAIL: The link \"" + backup + "/pg_tblspc/" + oid +
      "\" points there.\nHINT: pg_basebackup -Fp writes each tablespace where "
      "its --tablespace-mapping says (else where the server has it): the drill "
      "copies it from there, as the server's user.\n"))
      << r.err;
  for (const auto& entry : fs::directory_iterator(workspace().path()))
    EXPECT_FALSE(entry.path().filename().string().starts_with("walpipe-drill-")) << entry.path();
}

}  // namespace
}  // namespace walpipe::testing
