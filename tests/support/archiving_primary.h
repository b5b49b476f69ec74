// A PostgreSQL 15 primary that archives into a walpipe archive through walpipe push, for the
// integration tests that read such an archive back (list, restore-plan): 1 MiB segments, so that
// a test fills a few quickly, log_timezone UTC, since a backup history file carries its times in
// log_timezone and walpipe reads only UTC and numeric offsets, and a table t(id int) to write to.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/pg_cluster.h"

namespace walpipe::testing {

// SELECT of the server's clock as walpipe reads a time: "2026-11-24 15:54:16.073560 UTC".
inline constexpr const char* kNowUtc =
    "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC'";

class ArchivingPrimary : public PgCluster {
 public:
  // The cluster "primary" of `workspace`, archiving into the folder "archive" made there now.
  explicit ArchivingPrimary(const PgWorkspace& workspace);

  // initdb, the archiving settings, start, CREATE TABLE t(id int); a failed step fails the test
  // fatally, so call it inside ASSERT_NO_FATAL_FAILURE.
  void set_up();
  // pg_basebackup -D dir -X none -c fast -l label, asserted to succeed.
  void base_backup(const std::string& dir, const std::string& label) const;
  // walpipe with `args`, as the user the server archives as (the archive is that user's).
  CommandResult walpipe(std::vector<std::string> args) const;
  // walpipe with `args` every 200 ms until `done` holds for its result, in *r: the server
  // archives asynchronously. Fails the test fatally after `timeout_s`, so call it inside
  // ASSERT_NO_FATAL_FAILURE.
  void walpipe_until(const std::vector<std::string>& args,
                     const std::function<bool(const CommandResult&)>& done, CommandResult* r,
                     int timeout_s = 60) const;

  const std::string& archive() const { return archive_; }

 private:
  const PgWorkspace& workspace_;
  std::string archive_;
};

// A test with its own workspace and an ArchivingPrimary in it, set up before the test runs; the
// test skips (fails under CI=true) without PostgreSQL 15.
class ArchivingPrimaryTest : public ::testing::Test {
 protected:
  void SetUp() override;

  PgWorkspace& workspace() { return *workspace_; }
  ArchivingPrimary& primary() { return *primary_; }
  // Row 1, base backup "first" in WORKSPACE/first, a load, the time `*between` a second later, a
  // switch, base backup "second" in WORKSPACE/second and, a second later, row 2. A failed step
  // fails the test fatally, so call it inside ASSERT_NO_FATAL_FAILURE.
  void two_backups(std::string* between);

 private:
  // Made in SetUp, once PostgreSQL 15 is known to be there; the primary goes first.
  std::unique_ptr<PgWorkspace> workspace_;
  std::unique_ptr<ArchivingPrimary> primary_;
};

}  // namespace walpipe::testing
