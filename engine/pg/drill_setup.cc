#include "pg/drill_setup.h"

#include <array>
#include <utility>

#include "io/fs.h"
#include "io/tree.h"

namespace walpipe::pg {

namespace {

// The socket's path, folder and ".s.PGSQL.5432", must fit in sun_path (108 bytes with its NUL).
constexpr size_t kMaxSocketDir = 107 - 14;

// The first `limit` bytes of a small file; "" when it cannot be read.
std::string read_text(const std::string& path, size_t limit = 4096) {
  Result<io::Fd> fd = io::open_for_read(path);
  if (!fd.is_ok()) return "";
  std::string text(limit, '\0');
  Result<size_t> n = io::read_some(*fd, 0, std::as_writable_bytes(std::span(text)), path);
  text.resize(n.is_ok() ? *n : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string shell_quoted(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// restore_command expands % escapes: a literal % in a path is written %%.
std::string percent_escaped(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

Status give(const std::string& path, const std::optional<io::Credentials>& as) {
  return as ? io::set_owner(path, as->uid, as->gid) : Status::ok();
}

Status write_for_server(const std::string& path, const std::string& text,
                        const std::optional<io::Credentials>& as) {
  WALPIPE_TRY(io::remove_tree(path));
  WALPIPE_TRY(io::write_new_file(path, text, 0600));
  return give(path, as);
}

}  // namespace

std::string restore_command(const std::string& walpipe, const std::string& archive,
                            const std::vector<std::string>& options) {
  std::string command = percent_escaped(shell_quoted(walpipe)) + " get --archive " +
                        percent_escaped(shell_quoted(archive));
  for (const std::string& option : options) command += " " + percent_escaped(shell_quoted(option));
  return command + " %f %p";
}

std::string recovery_end_command(const std::string& walpipe) {
  return percent_escaped(shell_quoted(walpipe)) + " get --remove-spool=pg_wal/walpipe_prefetch";
}

Result<std::optional<io::Credentials>> server_user(const DrillOptions& o, std::string* name) {
  const uid_t self = io::effective_uid();
  if (self != 0) {
    *name = io::user_name(self);
    if (!o.os_user.empty() && o.os_user != *name)
      return Status(Code::kInvalidArgument,
                    "only root can run the server as another user (\"" + o.os_user + "\")")
          .with_hint("Run walpipe drill as \"" + o.os_user + "\", or leave out --os-user.");
    return std::optional<io::Credentials>();
  }
  Result<io::Credentials> who = Status(Code::kNotFound, "");
  if (!o.os_user.empty()) {
    who = io::credentials_of(o.os_user);
  } else {
    Result<io::EntryInfo> info = io::entry_info(o.backup_dir);
    if (!info.is_ok()) return info.status();
    who = info->uid != 0 ? io::credentials_of(info->uid) : io::credentials_of("postgres");
  }
  if (!who.is_ok())
    return Status(who.status().code(), who.status().message())
        .with_hint("Name the user to run the server as with --os-user.");
  if (who->uid == 0)
    return Status(Code::kInvalidArgument, "PostgreSQL does not run as root")
        .with_hint("Name the user to run the server as with --os-user.");
  *name = who->name;
  return std::optional<io::Credentials>(std::move(*who));
}

Result<std::string> pg_bin_dir(const DrillOptions& o) {
  std::string bin = o.pg_bin;
  if (bin.empty()) {
    const std::string version_file = o.backup_dir + "/PG_VERSION";
    const std::string major = read_text(version_file, 16);
    if (major.empty())
      return Status(Code::kNotFound, "could not read file \"" + version_file + "\"")
          .with_hint("Name the folder of PostgreSQL's programs with --pg-bin.");
    bin = "/usr/lib/postgresql/" + major + "/bin";
  }
  Result<io::EntryType> type = io::entry_type(bin + "/postgres");
  if (!type.is_ok() || *type != io::EntryType::kFile)
    return Status(Code::kNotFound, "there is no PostgreSQL server program \"" + bin + "/postgres\"")
        .with_hint(
            "Install the PostgreSQL server of the backup's version, or name the folder of "
            "its programs with --pg-bin.");
  return bin;
}

Status check_can_run(const std::string& walpipe, const std::optional<io::Credentials>& as) {
  io::SpawnOptions options;
  options.argv = {walpipe, "--version"};
  options.as = as;
  Result<io::Ending> ran = io::run(options);
  const std::string who = as ? "user \"" + as->name + "\"" : "this user";
  if (ran.is_ok() && ran->ok()) return Status::ok();
  return Status(Code::kInvalidArgument,
                who + " cannot run \"" + walpipe + "\", which the server's restore_command runs")
      .with_detail(ran.is_ok() ? "It ended with " + ran->text() + "." : ran.status().message())
      .with_hint("Run a walpipe installed where " + who + " can run it (such as /usr/bin).");
}

Result<CopyJob> start_copy(const std::string& source, const std::string& dest,
                           const std::string& log_path, const std::optional<io::Credentials>& as) {
  CopyJob job;
  job.log_path = log_path;
  job.source = source;
  Result<io::Fd> log = io::open_for_append(log_path);
  if (!log.is_ok()) return log.status();
  job.log = std::move(*log);
  io::SpawnOptions options;
  // --reflink=auto: a copy that shares the blocks where the filesystem can (btrfs, XFS).
  options.argv = {"/bin/cp", "-a", "--reflink=auto", source, dest};
  options.as = as;
  options.stderr_fd = job.log.get();
  Result<io::Child> child = io::spawn(options);
  if (!child.is_ok()) return child.status();
  job.child = std::move(*child);
  return job;
}

Status finish_copy(CopyJob& job) {
  Result<io::Ending> ended = job.child.wait();
  if (!ended.is_ok()) return ended.status();
  if (ended->ok()) return Status::ok();
  return Status(Code::kIoError, "could not copy the base backup \"" + job.source +
                                    "\" (cp ended with " + ended->text() + ")")
      .with_detail(read_text(job.log_path));
}

Status prepare_data_dir(const std::string& data, const std::string& scratch,
                        const std::string& socket_dir, const std::optional<io::Credentials>& as) {
  if (socket_dir.size() > kMaxSocketDir)
    return Status(Code::kInvalidArgument, "the socket folder \"" + socket_dir + "\" is too long")
        .with_hint("Name a shorter scratch folder with --scratch-dir.");
  WALPIPE_TRY(give(socket_dir, as));
  for (const char* gone : {"standby.signal", "postmaster.pid"})
    WALPIPE_TRY(io::remove_tree(data + "/" + gone));
  WALPIPE_TRY(write_for_server(data + "/recovery.signal", "", as));
  if (!io::entry_type(data + "/postgresql.conf").is_ok())
    WALPIPE_TRY(write_for_server(data + "/postgresql.conf", "", as));
  return write_for_server(scratch + "/pg_hba.conf", "local all all trust\n", as);
}

}  // namespace walpipe::pg
