// engine/pg against a real PostgreSQL 15: what it reads matches what the server says through
// psql and in its folders, and every way of failing to connect is one clear message with a HINT,
// bounded in time, that never shows a password.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "pg/connection.h"
#include "pg/server.h"
#include "support/pg_test.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

class PgClientTest : public PgArchivingTest {
 protected:
  // A 1 MiB-segment cluster archiving with `archive_command`, started.
  std::unique_ptr<PgCluster> start_cluster(const std::string& archive_command) {
    return PgTest::start_cluster(
        "pg", {"archive_mode = on", "archive_command = '" + archive_command + "'",
               "archive_timeout = 60", "wal_level = replica"});
  }

  std::unique_ptr<pg::Connection> connect(const PgCluster& pg, const std::string& user) {
    pg::ConnectOptions options;
    options.conninfo = conninfo(pg, user);
    auto conn = pg::Connection::connect(options);
    EXPECT_TRUE(conn.is_ok()) << conn.status().to_string();
    return conn.is_ok() ? std::move(conn.value()) : nullptr;
  }

  std::string walpipe_push() const { return push_command(archive_); }
};

TEST_F(PgClientTest, ReadsWhatTheServerSays) {
  auto pg = start_cluster(walpipe_push());
  auto conn = connect(*pg, "postgres");
  ASSERT_NE(conn, nullptr);
  std::string closed = pg->query("SELECT pg_walfile_name(pg_switch_wal())");
  ASSERT_TRUE(pg->wait_for("SELECT last_archived_wal FROM pg_stat_archiver", closed));

  auto stats = pg::read_archiver_stats(*conn);
  ASSERT_TRUE(stats.is_ok()) << stats.status().to_string();
  EXPECT_GE(stats->archived_count, 1);
  EXPECT_EQ(stats->last_archived_wal.value_or(""), closed);
  EXPECT_EQ(stats->failed_count, 0);
  EXPECT_FALSE(stats->last_failed_wal.has_value());
  ASSERT_TRUE(stats->last_archived_time.has_value());
  EXPECT_LE(*stats->last_archived_time, stats->now);
  EXPECT_GT(*stats->last_archived_time, stats->now - 60);

  auto settings = pg::read_archive_settings(*conn);
  ASSERT_TRUE(settings.is_ok()) << settings.status().to_string();
  EXPECT_EQ(settings->archive_mode, "on");
  EXPECT_EQ(settings->wal_level, "replica");
  EXPECT_TRUE(settings->archive_command_visible);
  EXPECT_EQ(settings->archive_command, walpipe_push());
  EXPECT_EQ(settings->archive_library, "");
  EXPECT_EQ(settings->archive_timeout_s, 60);
  EXPECT_EQ(settings->wal_segment_size, 1u << 20);  // the server's own, not 16 MiB
  EXPECT_EQ(std::to_string(settings->max_wal_size),
            pg->query("SELECT pg_size_bytes(current_setting('max_wal_size'))"));

  auto position = pg::read_wal_position(*conn, settings->wal_segment_size);
  ASSERT_TRUE(position.is_ok()) << position.status().to_string();
  EXPECT_FALSE(position->in_recovery);
  EXPECT_EQ(position->version_num / 10000, 15);
  EXPECT_EQ(position->timeline, 1u);
  EXPECT_EQ(position->walfile, pg->query("SELECT pg_walfile_name(pg_current_wal_lsn())"));
  pg->query("CREATE TABLE t AS SELECT 1 AS x");  // off the segment boundary of the switch
  position = pg::read_wal_position(*conn, settings->wal_segment_size);
  ASSERT_TRUE(position.is_ok()) << position.status().to_string();
  EXPECT_EQ(position->walfile, pg->query("SELECT pg_walfile_name(pg_current_wal_lsn())"));
}

TEST_F(PgClientTest, CountsTheReadyBacklog) {
  auto pg = start_cluster("/bin/false");
  auto conn = connect(*pg, "postgres");
  ASSERT_NE(conn, nullptr);
  std::string first = pg->query("SELECT pg_walfile_name(pg_switch_wal())");
  pg->query("CREATE TABLE t AS SELECT 1 AS x");
  pg->query("SELECT pg_switch_wal()");
  pg->query("INSERT INTO t VALUES (2)");
  pg->query("SELECT pg_switch_wal()");
  ASSERT_TRUE(pg->wait_for("SELECT failed_count > 0 FROM pg_stat_archiver", "t"));

  auto backlog = pg::read_ready_backlog(*conn);
  ASSERT_TRUE(backlog.is_ok()) << backlog.status().to_string();
  size_t ready_files = 0;
  for (const auto& entry : fs::directory_iterator(pg->data_dir() + "/pg_wal/archive_status"))
    ready_files += entry.path().extension() == ".ready";
  EXPECT_GE(backlog->ready_count, 3);
  EXPECT_EQ(static_cast<size_t>(backlog->ready_count), ready_files);
  EXPECT_EQ(backlog->oldest_ready.value_or(""), first);
  EXPECT_TRUE(backlog->oldest_ready_time.has_value());

  auto stats = pg::read_archiver_stats(*conn);
  ASSERT_TRUE(stats.is_ok()) << stats.status().to_string();
  EXPECT_EQ(stats->last_failed_wal.value_or(""), first);
}

TEST_F(PgClientTest, ARoleWithoutPgMonitorIsToldWhichGrantItNeeds) {
  auto pg = start_cluster(walpipe_push());
  pg->query("CREATE ROLE \"plain user\" LOGIN");
  auto conn = connect(*pg, "'plain user'");
  ASSERT_NE(conn, nullptr);
  auto backlog = pg::read_ready_backlog(*conn);
  ASSERT_FALSE(backlog.is_ok());
  EXPECT_EQ(backlog.status().to_string(),
            "query failed on PostgreSQL at host \"" + pg->socket_dir() + "\" port " +
                std::to_string(pg->port()) +
                " user \"plain user\" database \"postgres\": permission denied for function "
                "pg_ls_archive_statusdir\n"
                "HINT: the .ready backlog needs the pg_monitor role: GRANT pg_monitor TO "
                "\"plain user\";");
  // Everything else a status needs, this role may read.
  EXPECT_TRUE(pg::read_archive_settings(*conn).is_ok());
  EXPECT_TRUE(pg::read_archiver_stats(*conn).is_ok());

  pg->query("GRANT pg_monitor TO \"plain user\"");
  auto granted = connect(*pg, "'plain user'");
  ASSERT_NE(granted, nullptr);
  EXPECT_TRUE(pg::read_ready_backlog(*granted).is_ok());
}

TEST_F(PgClientTest, AServerThatIsDownIsOneLineWithAHint) {
  auto pg = start_cluster(walpipe_push());
  const int port = pg->port();
  pg->stop();
  pg::ConnectOptions options;
  options.conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres";
  auto conn = pg::Connection::connect(options);
  ASSERT_FALSE(conn.is_ok());
  EXPECT_EQ(conn.status().code(), Code::kIoError);
  const std::string text = conn.status().to_string();
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "could not connect to PostgreSQL at host \"127.0.0.1\" port " + std::to_string(port) +
                " user \"postgres\" database \"postgres\"");
  EXPECT_NE(text.find("\nDETAIL: connection to server at \"127.0.0.1\", port " +
                      std::to_string(port) + " failed: Connection refused"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nHINT: is the server running and accepting connections there?"),
            std::string::npos)
      << text;
}

TEST_F(PgClientTest, APasswordNeverAppearsInAMessage) {
  auto pg = start_cluster(walpipe_push());
  pg->query("CREATE ROLE pw LOGIN PASSWORD 'right-one'");
  // The first matching pg_hba line wins: password authentication for this role over TCP.
  const std::string hba = pg->data_dir() + "/pg_hba.conf";
  write_text_file(hba, "host all pw 127.0.0.1/32 scram-sha-256\n" + read_text_file(hba));
  pg->query("SELECT pg_reload_conf()");

  pg::ConnectOptions options;
  options.conninfo = "host=127.0.0.1 port=" + std::to_string(pg->port()) +
                     " user=pw dbname=postgres password=Sekrit-4711";
  auto conn = pg::Connection::connect(options);
  ASSERT_FALSE(conn.is_ok());
  std::string text = conn.status().to_string();
  EXPECT_EQ(text.find("Sekrit-4711"), std::string::npos) << text;
  EXPECT_NE(text.find("password authentication failed for user \"pw\""), std::string::npos) << text;
  EXPECT_NE(text.find("HINT: put the password in ~/.pgpass"), std::string::npos) << text;

  options.conninfo =
      "postgresql://pw:Sekrit-4711@127.0.0.1:" + std::to_string(pg->port()) + "/postgres";
  conn = pg::Connection::connect(options);
  ASSERT_FALSE(conn.is_ok());
  EXPECT_EQ(conn.status().to_string().find("Sekrit-4711"), std::string::npos);

  options.conninfo = "host=127.0.0.1 password=Sekrit-4711 what";  // does not parse
  conn = pg::Connection::connect(options);
  ASSERT_FALSE(conn.is_ok());
  EXPECT_EQ(conn.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(conn.status().to_string(),
            "invalid connection string (not shown: it may hold a password)\n"
            "HINT: give key=value pairs (\"host=/var/run/postgresql port=5432 dbname=postgres\") "
            "or a postgresql:// URI");

  options.conninfo = "host=127.0.0.1 port=" + std::to_string(pg->port()) +
                     " user=pw dbname=postgres password=right-one";
  EXPECT_TRUE(pg::Connection::connect(options).is_ok());
}

// A peer that completes the TCP handshake and then says nothing: libpq's connect_timeout ends
// the wait (2 s is its least).
TEST(PgClientTimeout, AServerThatNeverAnswersTimesOut) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  pg::ConnectOptions options;
  options.conninfo = "host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port));
  options.connect_timeout_s = 2;
  auto start = std::chrono::steady_clock::now();
  auto conn = pg::Connection::connect(options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(listener);
  ASSERT_FALSE(conn.is_ok());
  EXPECT_LT(seconds, 6.0);
  std::string text = conn.status().to_string();
  EXPECT_NE(text.find("timeout expired"), std::string::npos) << text;
  EXPECT_NE(text.find("HINT: the server did not answer within 2 s"), std::string::npos) << text;
}

}  // namespace
}  // namespace walpipe::testing
