#include "pg/drill_setup.h"

#include <algorithm>
#include <array>
#include <utility>

#include "io/fs.h"
#include "io/links.h"
#include "io/tree.h"
#include "pg/drill_tablespaces.h"

namespace walpipe::pg {

namespace {

// The socket's path, folder and ".s.PGSQL.5432", must fit in sun_path (108 bytes with its NUL).
constexpr size_t kMaxSocketDir = 107 - 14;

// Far more than a map of every tablespace a server can sensibly have.
constexpr size_t kMaxTablespaceMap = 1 << 16;

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

// The shell commands that extract a tar-format backup into `dest` (made here, mode 0700, as
// PostgreSQL wants its data directory): one shell, so that the whole extraction runs while the
// plan verifies and a drill that stops kills it with its process group.
std::string extract_script(const pipeline::TarBackup& tar, const std::string& dest) {
  std::string script = "set -e; umask 077; mkdir -- " + shell_quoted(dest);
  auto extract = [&](const pipeline::TarFile& file, const std::string& into) {
    script += "; ";
    for (const std::string& word : pipeline::tar_extract_argv(file, into))
      script += shell_quoted(word) + " ";
  };
  extract(tar.base, dest);
  if (tar.wal) {
    script += "; mkdir -p -- " + shell_quoted(dest + "/pg_wal");
    extract(*tar.wal, dest + "/pg_wal");
  }
  for (const pipeline::TarBackup::Tablespace& t : tar.tablespaces) {
    const std::string into = tablespace_dir(dest, t.oid);
    script += "; mkdir -- " + shell_quoted(into);
    extract(t.file, into);
  }
  return script;
}

// --reflink=auto: a copy that shares the blocks where the filesystem can (btrfs, XFS).
constexpr const char* kCopy = "/bin/cp -a --reflink=auto -- ";

// The shell commands that copy a plain backup into `dest` and each of its tablespaces into its
// folder beside `dest`, pointing the copy's link there: one shell, as for a tar backup.
std::string copy_script(const CopyJob& job) {
  std::string script =
      std::string("set -e; ") + kCopy + shell_quoted(job.source) + " " + shell_quoted(job.dest);
  for (const CopyJob::Tablespace& t : job.tablespaces) {
    const std::string into = tablespace_dir(job.dest, t.oid);
    // FROM/. : the folder's contents, also when FROM is itself a link to the folder.
    script += "; " + std::string(kCopy) + shell_quoted(t.from + "/.") + " " + shell_quoted(into);
    if (t.linked)
      script += "; /bin/ln -sfn -- " + shell_quoted(into) + " " +
                shell_quoted(job.dest + "/pg_tblspc/" + t.oid);
  }
  return script;
}

// PG_VERSION of the backup in `dir`: DIR/PG_VERSION, or the member of its base.tar.
Result<std::string> backup_major_version(const std::string& dir) {
  WALPIPE_ASSIGN_OR_RETURN(std::optional<pipeline::TarBackup> tar, pipeline::find_tar_backup(dir));
  std::string major;
  if (tar) {
    WALPIPE_ASSIGN_OR_RETURN(std::string text,
                             pipeline::read_tar_member((tar)->base, "PG_VERSION", 16));
    major = std::move(text);
  } else {
    major = read_text(dir + "/PG_VERSION", 16);
  }
  while (!major.empty() && (major.back() == '\n' || major.back() == ' ')) major.pop_back();
  if (major.empty() || major.find_first_not_of("0123456789.") != std::string::npos)
    return Status(Code::kNotFound,
                  tar ? "could not read PG_VERSION from tar file \"" + (tar)->base.path + "\""
                      : "could not read file \"" + dir + "/PG_VERSION\"");
  return major;
}

// The copy's tablespace_map naming the tablespaces' folders in the scratch folder; every
// tablespace the map of a tar backup names must have come with its OID.tar (else recovery would
// write into the folder it names).
Status map_tablespaces(const CopyJob& job) {
  const std::string map_path = job.dest + "/tablespace_map";
  std::vector<std::string> copied;
  if (job.tar)
    for (const pipeline::TarBackup::Tablespace& t : job.tar->tablespaces) copied.push_back(t.oid);
  for (const CopyJob::Tablespace& t : job.tablespaces) copied.push_back(t.oid);
  for (const auto& [oid, from] : parse_tablespace_map(read_text(map_path, kMaxTablespaceMap))) {
    if (std::find(copied.begin(), copied.end(), oid) != copied.end()) continue;
    return Status(Code::kNotFound, "the base backup \"" + job.source + "\" has no " + oid +
                                       ".tar for tablespace " + oid)
        .with_detail("The tablespace_map in its base.tar names tablespace " + oid + ".")
        .with_hint("Give the folder pg_basebackup -Ft wrote with all of its tar files.");
  }
  // A plain backup without a map needs none: its links now point at the copies.
  if (copied.empty() || (!job.tar && !io::entry_type(map_path).is_ok())) return Status::ok();
  return write_for_server(map_path, scratch_tablespace_map(copied, job.dest), job.as);
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
    WALPIPE_ASSIGN_OR_RETURN(io::EntryInfo info, io::entry_info(o.backup_dir));
    who = info.uid != 0 ? io::credentials_of(info.uid) : io::credentials_of("postgres");
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
    Result<std::string> major = backup_major_version(o.backup_dir);
    if (!major.is_ok())
      return Status(major.status().code(), major.status().message())
          .with_detail(major.status().detail())
          .with_hint("Name the folder of PostgreSQL's programs with --pg-bin.");
    bin = "/usr/lib/postgresql/" + *major + "/bin";
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
  job.dest = dest;
  job.as = as;
  Result<std::optional<pipeline::TarBackup>> tar = pipeline::find_tar_backup(source);
  if (!tar.is_ok()) return tar.status();
  job.tar = std::move(*tar);
  if (!job.tar) {
    Result<std::vector<CopyJob::Tablespace>> tablespaces =
        plain_tablespaces(source, read_text(source + "/tablespace_map", kMaxTablespaceMap));
    if (!tablespaces.is_ok()) return tablespaces.status();
    job.tablespaces = std::move(*tablespaces);
  }
  Result<io::Fd> log = io::open_for_append(log_path);
  if (!log.is_ok()) return log.status();
  job.log = std::move(*log);
  io::SpawnOptions options;
  options.argv = {"/bin/sh", "-c", copy_script(job)};
  if (job.tar) {
    options.argv = {"/bin/sh", "-c", extract_script(*job.tar, dest)};
    options.environment = pipeline::tar_environment();
  }
  options.as = as;
  options.stderr_fd = job.log.get();
  Result<io::Child> child = io::spawn(options);
  if (!child.is_ok()) return child.status();
  job.child = std::move(*child);
  return job;
}

Status finish_copy(CopyJob& job) {
  WALPIPE_ASSIGN_OR_RETURN(io::Ending ended, job.child.wait());
  if (!ended.ok())
    return Status(Code::kIoError, std::string(job.tar ? "could not extract" : "could not copy") +
                                      " the base backup \"" + job.source + "\" (" +
                                      (job.tar ? "tar" : "cp") + " ended with " + ended.text() +
                                      ")")
        .with_detail(read_text(job.log_path));
  return map_tablespaces(job);
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
