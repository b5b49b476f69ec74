#include "monitor/check.h"

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "pg/server.h"
#include "pipeline/file_loader.h"
#include "wal/inspect.h"
#include "wal/lsn.h"
#include "wal/names.h"

namespace walpipe::monitor {

namespace {

// Splits a shell command line into words, honouring single and double quotes and backslashes;
// enough for the archive_command lines people write, not a shell.
std::vector<std::string> shell_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote != 0) {
      if (c == quote)
        quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < line.size())
        word += line[++i];
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == ';' || c == '&' || c == '|') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

std::string trimmed(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// The archive a `walpipe push` in the command names: "" when it names none (it may come from
// WALPIPE_ARCHIVE or the configuration file); nullopt when the command runs no walpipe push.
std::optional<std::string> pushed_archive(const std::string& command_line) {
  std::vector<std::string> words = shell_words(command_line);
  std::string from_environment;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.rfind("WALPIPE_ARCHIVE=", 0) == 0) from_environment = w.substr(16);
    const bool is_walpipe = w == "walpipe" || w.ends_with("/walpipe");
    if (!is_walpipe || i + 1 >= words.size() || words[i + 1] != "push") continue;
    for (size_t j = i + 2; j < words.size(); ++j) {
      const std::string& o = words[j];
      if ((o == "--archive" || o == "-a") && j + 1 < words.size()) return words[j + 1];
      if (o.rfind("--archive=", 0) == 0) return o.substr(10);
      if (o.rfind("-a", 0) == 0 && o.size() > 2 && o[2] != '-') return o.substr(2);
    }
    return from_environment;
  }
  return std::nullopt;
}

CheckStep settings_step(const char* what, bool passed, std::string detail, std::string hint) {
  return CheckStep{what, passed, std::move(detail), passed ? "" : std::move(hint)};
}

}  // namespace

bool command_pushes_to(const std::string& command_line, const std::string& archive) {
  std::optional<std::string> named = pushed_archive(command_line);
  return named && !named->empty() && trimmed(*named) == trimmed(archive);
}

bool run_check(const CheckOptions& options,
               const std::function<void(const CheckStep&)>& report) {
  Result<std::unique_ptr<pg::Connection>> conn = pg::Connection::connect(options.connect);
  if (!conn.is_ok()) {
    report({"connect to PostgreSQL", false, conn.status().message(), conn.status().hint()});
    return false;
  }
  report({"connect to PostgreSQL", true, (*conn)->where(), ""});
  Result<pg::ArchiveSettings> settings = pg::read_archive_settings(**conn);
  Result<pg::WalPosition> position =
      settings.is_ok() ? pg::read_wal_position(**conn, settings->wal_segment_size)
                       : Result<pg::WalPosition>(settings.status());
  if (!settings.is_ok() || !position.is_ok()) {
    const Status& why = settings.is_ok() ? position.status() : settings.status();
    report({"read the server's settings", false, why.message(), why.hint()});
    return false;
  }
  bool ok = true;
  auto step = [&](CheckStep s) {
    ok = ok && s.passed;
    report(s);
  };
  const pg::ArchiveSettings& s = *settings;
  const bool standby = position->in_recovery;
  const bool mode_ok = standby ? s.archive_mode == "always" : s.archive_mode != "off";
  step(settings_step("archive_mode", mode_ok, "archive_mode = " + s.archive_mode,
                     standby ? "a standby archives only with archive_mode = always"
                             : "set archive_mode = on in postgresql.conf and restart the server"));
  step(settings_step("wal_level", s.wal_level != "minimal", "wal_level = " + s.wal_level,
                     "set wal_level = replica (or logical) and restart: minimal WAL cannot be "
                     "replayed from a base backup"));
  std::optional<std::string> named =
      s.archive_command_visible ? pushed_archive(s.archive_command) : std::nullopt;
  std::string detail, hint = "set archive_command = 'walpipe push --archive " +
                             options.archive->location() + " %p' and reload the server";
  bool command_ok = false;
  if (!s.archive_library.empty())
    detail = "archive_library = '" + s.archive_library + "' is used instead of archive_command";
  else if (!s.archive_command_visible)
    detail = "archive_command is hidden from this role";
  else if (!named)
    detail = "archive_command does not run walpipe push";
  else if (named->empty())
    command_ok = true, detail = "walpipe push names no --archive: its archive comes from "
                                "WALPIPE_ARCHIVE or the configuration file";
  else if (trimmed(*named) != trimmed(options.archive->location()))
    detail = "walpipe push archives into \"" + *named + "\", not \"" + options.archive->location() +
             "\"";
  else
    command_ok = true, detail = "walpipe push --archive " + *named;
  step(settings_step("archive_command", command_ok, detail, hint));
  if (!ok) return false;

  if (standby) {
    step({"switch WAL", false, "a standby cannot switch WAL",
          "run walpipe check against the primary; the standby archives what it receives"});
    return false;
  }
  // pg_switch_wal() closes the segment being written, unless nothing was written since the last
  // switch: then it closes nothing (no segment wasted) and names the segment that switch closed.
  Result<pg::Rows> switched = (*conn)->query(
      "SELECT pg_walfile_name(pg_switch_wal()) AS closed, pg_current_wal_lsn() AS now");
  if (!switched.is_ok()) {
    step({"switch WAL", false, switched.status().message(),
          (*conn)->last_sqlstate() == "42501"
              ? "GRANT EXECUTE ON FUNCTION pg_switch_wal() TO " + (*conn)->user() + ";"
              : ""});
    return false;
  }
  const std::string closed = switched->get(0, "closed").value_or("");
  const bool idle = switched->get(0, "now") == wal::format_lsn(position->lsn);
  step({"switch WAL", true,
        idle ? "nothing written since the last switch: checking \"" + closed + "\", which it closed"
             : "pg_switch_wal() closed \"" + closed + "\"",
        ""});
  Result<wal::WalFileName> name = wal::parse_file_name(closed);
  if (!name.is_ok()) {
    step({"switch WAL", false, "the server named no segment", ""});
    return false;
  }

  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(options.wait_seconds);
  Result<bool> present = false;
  while ((present = options.archive->contains(*name)).is_ok() && !*present &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!present.is_ok() || !*present) {
    step({"wait for the archive", false,
          present.is_ok() ? "\"" + closed + "\" did not reach the archive within " +
                                std::to_string(static_cast<int>(options.wait_seconds)) + " s"
                          : present.status().message(),
          "look at pg_stat_archiver and the server log: archive_command's own message says why"});
    return false;
  }
  char took[64];
  std::snprintf(took, sizeof took, "\"%s\" archived after %.1f s", closed.c_str(), waited);
  step({"wait for the archive", true, took, ""});

  pipeline::FileLoader loader;
  Result<archive::StoredObject> stored = options.archive->read(*name, pipeline::kMaxObjectFileSize);
  Result<pipeline::LoadedFile> loaded =
      stored.is_ok() ? loader.load_object_bytes(stored->bytes(),
                                                options.archive->object_location(*name), false)
                     : Result<pipeline::LoadedFile>(std::move(stored).take_status());
  if (!loaded.is_ok()) {
    step({"verify", false, loaded.status().message(), loaded.status().hint()});
    return false;
  }
  wal::SegmentReport verified = wal::inspect_segment(loader.data(), closed);
  if (!verified.valid()) {
    step({"verify", false, verified.first_error()->message,
          "run walpipe verify on the archive to see every problem"});
    return false;
  }
  step({"verify", true,
        std::to_string(verified.record_count) + " records, " +
            wal::format_lsn(verified.first_record_lsn) + " to " +
            wal::format_lsn(verified.last_record_lsn),
        ""});
  return ok;
}

}  // namespace walpipe::monitor
