// The fixture of the integration tests that run a real PostgreSQL 15 cluster by hand: it skips
// (fails under CI=true) without PostgreSQL 15, gives each test its own PgWorkspace, and knows the
// settings and connection strings those tests build for walpipe.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/pg_cluster.h"
#include "support/run_command.h"

namespace walpipe::testing {

class PgTest : public ::testing::Test {
 protected:
  // Skips without PostgreSQL 15; otherwise makes workspace_ and starts the clock of seconds().
  void SetUp() override;

  // `walpipe push --archive ARCHIVE %p` with the binary the server can run, as archive_command.
  std::string push_command(const std::string& archive) const;
  // The connection string of `pg` over its Unix socket, as `user`, to database postgres.
  static std::string conninfo(const PgCluster& pg, const std::string& user = "postgres");
  // walpipe with `args` as the user the server runs as (the archive is that user's).
  CommandResult walpipe(const std::vector<std::string>& args) const;
  // A started cluster `name` with 1 MiB segments and `conf` appended to postgresql.conf; a failed
  // initdb or start fails the test.
  std::unique_ptr<PgCluster> start_cluster(const std::string& name,
                                           const std::vector<std::string>& conf) const;
  // Seconds since SetUp, to show where an integration test's time goes.
  double seconds() const;

  std::unique_ptr<PgWorkspace> workspace_;

 private:
  std::chrono::steady_clock::time_point started_;
};

// A PgTest with an empty folder "archive" in the workspace for the server to archive into.
class PgArchivingTest : public PgTest {
 protected:
  void SetUp() override;

  std::string archive_;
};

}  // namespace walpipe::testing
