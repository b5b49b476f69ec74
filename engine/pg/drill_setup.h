// The steps of walpipe drill that come before its server starts (pg/drill.h): who runs the
// server, which PostgreSQL programs, the commands recovery runs, the copy of the backup, and the
// files the copy needs to recover in a scratch directory.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/spawn.h"
#include "pg/drill.h"
#include "pg/drill_tablespaces.h"
#include "pipeline/backup_tar.h"

namespace walpipe::pg {

// The server listens only on a Unix socket in a folder of the drill's own: any port will do.
inline constexpr int kDrillPort = 5432;

// restore_command and recovery_end_command, as restore-plan prints them, with `walpipe` the
// program's path, quoted for the shell and with % doubled for PostgreSQL; `options` go after
// --archive ARCHIVE, quoted alike.
std::string restore_command(const std::string& walpipe, const std::string& archive,
                            const std::vector<std::string>& options = {});
std::string recovery_end_command(const std::string& walpipe);

// Who runs the server: nullopt for this process's own user (not root); as root, --os-user, else
// the owner of the backup's folder, else (a folder root owns) the `postgres` user; never root.
// *name receives the user's name. kInvalidArgument when --os-user is given but cannot be used.
Result<std::optional<io::Credentials>> server_user(const DrillOptions& o, std::string* name);

// --pg-bin, else the folder the Debian and PGDG packages use for the backup's PG_VERSION (in
// base.tar for a tar-format backup, read with tar); an
// error naming what was looked at, with a HINT for --pg-bin, when it holds no postgres program.
Result<std::string> pg_bin_dir(const DrillOptions& o);

// Runs `walpipe --version` as the server's user: restore_command will run it so.
Status check_can_run(const std::string& walpipe, const std::optional<io::Credentials>& as);

// The copy of the backup, as the server's user, so that the copy is theirs, with every tablespace
// in a folder "tablespace-OID" beside `dest` (recovery writes into the tablespaces: never into the
// backup's own or a production server's). Of a plain backup: cp -a into `dest`, each folder a
// pg_tblspc/OID link or a tablespace_map names copied too and the copy's link pointed at it;
// start_copy refuses one that does not exist or cannot be read. Of a tar-format one
// (pipeline/backup_tar.h): base.tar extracted into `dest`, pg_wal.tar into its pg_wal, and each
// tablespace's OID.tar into its folder. finish_copy then names those folders in the copy's
// tablespace_map when it has one (the map names the production server's folders).
struct CopyJob {
  using Tablespace = TablespaceCopy;
  io::Child child;
  io::Fd log;
  std::string log_path;
  std::string source;
  std::string dest;
  std::optional<pipeline::TarBackup> tar;
  std::vector<Tablespace> tablespaces;  // a plain backup's
  std::optional<io::Credentials> as;
};
Result<CopyJob> start_copy(const std::string& source, const std::string& dest,
                           const std::string& log_path, const std::optional<io::Credentials>& as);
// Waits for the copy; an error with cp's or tar's words when it failed. Writes the copy's
// tablespace_map; an error when the map of a tar backup names a tablespace that has no OID.tar.
Status finish_copy(CopyJob& job);

// Makes the copy at `data` recover and nothing else: recovery.signal instead of any
// standby.signal, a postgresql.conf (a Debian cluster keeps its own in /etc), a pg_hba.conf in
// the scratch folder that trusts local connections (the socket's folder is the server user's
// alone), all given to the server's user.
Status prepare_data_dir(const std::string& data, const std::string& scratch,
                        const std::string& socket_dir, const std::optional<io::Credentials>& as);

}  // namespace walpipe::pg
