#include "support/pg_test.h"

#include "support/prerequisite.h"

namespace walpipe::testing {

void PgTest::SetUp() {
  std::string why;
  if (pg15_bin_dir(&why).empty()) WALPIPE_SKIP() << why;
  workspace_ = std::make_unique<PgWorkspace>();
  started_ = std::chrono::steady_clock::now();
}

std::string PgTest::push_command(const std::string& archive) const {
  return workspace_->walpipe() + " push --archive " + archive + " %p";
}

std::string PgTest::conninfo(const PgCluster& pg, const std::string& user) {
  return "host=" + pg.socket_dir() + " port=" + std::to_string(pg.port()) + " user=" + user +
         " dbname=postgres";
}

CommandResult PgTest::walpipe(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{workspace_->walpipe()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_as_postgres(argv);
}

std::unique_ptr<PgCluster> PgTest::start_cluster(const std::string& name,
                                                 const std::vector<std::string>& conf) const {
  auto pg = std::make_unique<PgCluster>(*workspace_, name);
  CommandResult r = pg->init({"--wal-segsize=1"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  pg->append_conf(conf);
  r = pg->start();
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  return pg;
}

double PgTest::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void PgArchivingTest::SetUp() {
  PgTest::SetUp();
  if (workspace_) archive_ = workspace_->make_dir("archive");
}

}  // namespace walpipe::testing
