#include "pg/recovery_server.h"

#include <signal.h>

#include <array>
#include <thread>

#include "io/tree.h"
#include "wal/names.h"

namespace walpipe::pg {

namespace {

constexpr auto kPoll = std::chrono::milliseconds(100);
constexpr size_t kMaxErrors = 20;

// The quoted name after `prefix` in `line`, or "".
std::string quoted_after(std::string_view line, std::string_view prefix) {
  size_t at = line.find(prefix);
  if (at == std::string_view::npos) return "";
  at += prefix.size();
  size_t end = line.find('"', at);
  if (end == std::string_view::npos) return "";
  return std::string(line.substr(at, end - at));
}

bool is_segment_name(std::string_view name) {
  Result<wal::WalFileName> parsed = wal::parse_file_name(name);
  return parsed.is_ok() && parsed->kind == wal::FileKind::kSegment;
}

// "host=/path port=5432 ...": the socket directory may hold spaces, so it is quoted.
std::string conninfo_of(const ServerSetup& s) {
  auto quoted = [](const std::string& v) {
    std::string out = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out + "'";
  };
  return "host=" + quoted(s.socket_dir) + " port=" + std::to_string(s.port) +
         " dbname=" + quoted(s.dbname) + " user=" + quoted(s.user);
}

}  // namespace

void scan_log(std::string_view text, LogFindings* findings) {
  for (size_t at = 0, end; (end = text.find('\n', at)) != std::string_view::npos; at = end + 1) {
    std::string_view line = text.substr(at, end - at);
    std::string restored = quoted_after(line, "restored log file \"");
    if (!restored.empty() && line.find("\" from archive") != std::string_view::npos &&
        is_segment_name(restored)) {
      if (restored > findings->last_restored) {
        ++findings->segments_restored;
        findings->last_restored = restored;
      }
      continue;
    }
    if (line.find("database system is ready to accept") != std::string_view::npos)
      findings->accepting = true;
    std::string failed = quoted_after(line, "could not restore file \"");
    if (!failed.empty() && line.find("FATAL:") != std::string_view::npos)
      findings->failed_file = failed;
    const bool serious = line.find("FATAL:") != std::string_view::npos ||
                         line.find("PANIC:") != std::string_view::npos ||
                         line.starts_with("walpipe ");
    if (serious && findings->errors.size() < kMaxErrors) findings->errors.emplace_back(line);
  }
}

RecoveryServer::RecoveryServer(const ServerSetup& setup, io::Child child, io::Fd log)
    : setup_(setup),
      child_(std::move(child)),
      log_(std::move(log)),
      started_(std::chrono::steady_clock::now()) {}

RecoveryServer::~RecoveryServer() {
  if (child_.running()) (void)stop(std::chrono::seconds(5));
}

Result<std::unique_ptr<RecoveryServer>> RecoveryServer::start(const ServerSetup& setup) {
  WALPIPE_ASSIGN_OR_RETURN(io::Fd log, io::open_for_append(setup.log_path));
  io::SpawnOptions options;
  options.argv = {setup.bin_dir + "/postgres", "-D", setup.data_dir};
  for (const auto& [name, value] : setup.settings) {
    options.argv.push_back("-c");
    options.argv.push_back(name + "=" + value);
  }
  options.as = setup.as;
  options.environment = setup.environment;
  options.stdout_fd = log.get();
  options.stderr_fd = log.get();
  WALPIPE_ASSIGN_OR_RETURN(io::Child child, io::spawn(options));
  WALPIPE_ASSIGN_OR_RETURN(io::Fd reader, io::open_for_read(setup.log_path));
  return std::unique_ptr<RecoveryServer>(
      new RecoveryServer(setup, std::move(child), std::move(reader)));
}

void RecoveryServer::read_log() {
  std::array<std::byte, 65536> buffer;
  for (;;) {
    Result<size_t> n = io::read_some(log_, log_offset_, buffer, setup_.log_path);
    if (!n.is_ok() || *n == 0) break;
    log_offset_ += *n;
    partial_line_.append(reinterpret_cast<const char*>(buffer.data()), *n);
  }
  size_t complete = partial_line_.rfind('\n');
  if (complete == std::string::npos) return;
  scan_log(std::string_view(partial_line_).substr(0, complete + 1), &findings_);
  partial_line_.erase(0, complete + 1);
}

Status RecoveryServer::stopped_early(const io::Ending& ending) {
  read_log();
  std::string detail;
  for (const std::string& line : findings_.errors) detail += (detail.empty() ? "" : "\n") + line;
  if (!findings_.failed_file.empty())
    return Status(Code::kIoError, "recovery stopped at WAL file \"" + findings_.failed_file +
                                      "\": restore_command could not bring it from the archive")
        .with_detail(detail)
        .with_hint("Run walpipe verify on the archive to see every damaged object.");
  return Status(Code::kIoError, "the server stopped during recovery (" + ending.text() + ")")
      .with_detail(detail);
}

Status RecoveryServer::wait_for_recovery_end(
    const std::function<void(const LogFindings&)>& progress, const std::function<bool()>& give_up) {
  ConnectOptions options;
  options.conninfo = conninfo_of(setup_);
  options.connect_timeout_s = 5;
  options.statement_timeout_ms = 0;
  uint64_t reported = 0;
  for (;;) {
    read_log();
    if (findings_.segments_restored != reported && progress) {
      reported = findings_.segments_restored;
      progress(findings_);
    }
    WALPIPE_ASSIGN_OR_RETURN(std::optional<io::Ending> ended, child_.poll());
    if (ended) return stopped_early(*ended);
    if (give_up && give_up()) return Status(Code::kIoError, "interrupted during recovery");
    if (!connection_ && findings_.accepting) {
      // Asked only once the log says the server accepts connections: every refused attempt
      // would be a FATAL line in the log, and a drill that fails shows the log's FATAL lines.
      Result<std::unique_ptr<Connection>> c = Connection::connect(options);
      if (c.is_ok()) connection_ = std::move(*c);
    }
    if (connection_) {
      Result<Rows> rows = connection_->query("SELECT pg_is_in_recovery()");
      if (rows.is_ok() && rows->get(0, "pg_is_in_recovery") == std::optional<std::string>("f")) {
        recovery_time_ = std::chrono::steady_clock::now() - started_;
        read_log();
        return Status::ok();
      }
      if (!rows.is_ok()) connection_.reset();
    }
    std::this_thread::sleep_for(kPoll);
  }
}

Status RecoveryServer::stop(std::chrono::seconds patience) {
  connection_.reset();
  for (int sig : {SIGQUIT, SIGKILL}) {
    if (!child_.running()) break;
    WALPIPE_TRY(child_.signal(sig));
    Result<std::optional<io::Ending>> ended = child_.wait_for(patience);
    if (!ended.is_ok()) return ended.status();
  }
  read_log();
  return Status::ok();
}

}  // namespace walpipe::pg
