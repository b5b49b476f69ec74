#include "restore_plan_output.h"
#include "wal/time_text.h"

namespace walpipe::cli {

using pipeline::RestorePlan;
using pipeline::RestoreTarget;
using pipeline::Shortfall;
using wal::format_lsn;
using wal::format_pg_timestamp;

std::string target_text(const RestoreTarget& t) {
  switch (t.kind) {
    case RestoreTarget::Kind::kTime:
      return format_pg_timestamp(t.time);
    case RestoreTarget::Kind::kLsn:
      return "LSN " + format_lsn(t.lsn);
    case RestoreTarget::Kind::kLatest:
      return "the end of the archive";
  }
  return "";
}

namespace {

// A word of a shell command as restore_command runs it (through sh).
std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789/_.-+:=@%,") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A postgresql.conf string: single quotes doubled.
std::string conf_value(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string latest_text(const RestorePlan& plan) {
  if (!plan.latest) return "Recovery from this backup cannot reach a consistent state.";
  const pipeline::ReachablePoint& p = *plan.latest;
  std::string out =
      "The latest reachable point is " + format_lsn(p.end_lsn) + ", the end of " + p.segment;
  if (p.last_commit_time)
    out += "; its newest commit is at " + format_pg_timestamp(*p.last_commit_time) + " (in " +
           p.last_commit_segment + ")";
  else
    out += "; no commit is archived before it";
  return out + ".";
}

namespace {

std::string cannot_reach(const RestorePlan& plan) {
  if (plan.target.kind == RestoreTarget::Kind::kLatest)
    return "the archive cannot take recovery from " + backup_name(*plan.backup) + " to its end";
  return "the archive cannot reach " + target_text(plan.target) + " from " +
         backup_name(*plan.backup);
}

std::string missing_text(const RestorePlan& plan) {
  if (plan.missing == 1) return "WAL segment " + plan.missing_first + " is missing";
  return "WAL segments " + plan.missing_first + " to " + plan.missing_last + " are missing (" +
         std::to_string(plan.missing) + " segments)";
}

Status no_backup(const RestorePlan& plan) {
  if (!plan.oldest_backup)
    return Status(Code::kNotFound, "no base backup to restore for " + target_text(plan.target) +
                                       ": the archive holds no readable .backup file")
        .with_hint(
            "Take a base backup with pg_basebackup while archiving works, or give a backup "
            "taken on a standby with --backup DIR.");
  const wal::BackupInfo& i = plan.oldest_backup->info;
  return Status(Code::kNotFound, "no base backup ends before " + target_text(plan.target))
      .with_detail("The oldest, " + plan.oldest_backup->source + ", ends at " +
                   format_lsn(*i.stop_lsn) + " in the second of " +
                   wal::format_time_seconds(*i.stop_time) +
                   " (its .backup file gives the time to the second).")
      .with_hint(
          "Recovery cannot stop before the end of the backup it starts from: choose a later "
          "target, or give an older backup with --backup DIR.");
}

}  // namespace

std::vector<Setting> recovery_settings(const RestorePlan& plan, const std::string& archive,
                                       const std::vector<std::string>& get_options) {
  std::vector<Setting> out;
  std::string get = "walpipe get --archive " + shell_word(archive);
  for (const std::string& word : get_options) get += " " + shell_word(word);
  out.push_back({"restore_command", get + " %f %p"});
  if (plan.target.kind == RestoreTarget::Kind::kTime)
    out.push_back({"recovery_target_time", format_pg_timestamp(plan.target.time)});
  if (plan.target.kind == RestoreTarget::Kind::kLsn)
    out.push_back({"recovery_target_lsn", format_lsn(plan.target.lsn)});
  out.push_back({"recovery_target_timeline", std::to_string(plan.target_timeline)});
  out.push_back({"recovery_end_command", "walpipe get --remove-spool=pg_wal/walpipe_prefetch"});
  return out;
}

std::string setting_line(const Setting& setting) {
  return setting.name + " = " + conf_value(setting.value);
}

Status shortfall_status(const RestorePlan& plan) {
  const char* verify_hint = "Run walpipe verify on the archive to see every finding.";
  const std::string keep_hint =
      "Choose a target at or before the latest reachable point, or bring back the WAL after it.";
  switch (plan.shortfall) {
    case Shortfall::kNone:
      break;
    case Shortfall::kNoBackup:
      return no_backup(plan);
    case Shortfall::kTargetInBackup: {
      const wal::BackupInfo& i = plan.backup->info;
      std::string detail =
          i.stop_time ? "It ends at " + format_pg_timestamp(*i.stop_time) + " (" +
                            format_lsn(*i.stop_lsn) + ")."
                      : "Its backup_label says it started at " + format_pg_timestamp(i.start_time) +
                            " (" + format_lsn(i.start_lsn) + "); recovery cannot stop before that.";
      return Status(Code::kInvalidArgument,
                    backup_name(*plan.backup) + " does not end before " + target_text(plan.target))
          .with_detail(detail)
          .with_hint("Choose a later target, or a backup taken before it.");
    }
    case Shortfall::kMissing: {
      std::string detail = latest_text(plan);
      if (plan.target.kind == RestoreTarget::Kind::kLatest)
        detail +=
            " PostgreSQL would end recovery at the gap and promote, without the WAL after it.";
      return Status(Code::kNotFound, cannot_reach(plan) + ": " + missing_text(plan))
          .with_detail(detail)
          .with_hint(std::string("Push the missing segments to the archive if a pg_wal or another "
                                 "copy still has them; otherwise ") +
                     (plan.latest ? "choose a target at or before the latest reachable point."
                                  : "recovery needs a base backup that starts after them (a "
                                    "standby's, which writes no .backup file: --backup DIR)."));
    }
    case Shortfall::kUnusable:
      return Status(Code::kCorruption, cannot_reach(plan) + ": WAL segment " + plan.missing_first +
                                           " cannot be used: " + plan.bad_reason)
          .with_detail(latest_text(plan))
          .with_hint(keep_hint);
    case Shortfall::kInvalid: {
      // A loader's message names the file already; a finding about the WAL does not.
      const bool named = plan.bad_reason.find("\"" + plan.bad_file + "\"") != std::string::npos;
      return Status(
                 Code::kCorruption,
                 cannot_reach(plan) + ": " +
                     (named ? plan.bad_reason
                            : "\"" + plan.bad_file + "\" failed verification: " + plan.bad_reason))
          .with_detail(latest_text(plan))
          .with_hint(verify_hint);
    }
    case Shortfall::kEndsBeforeBackup:
      return Status(Code::kNotFound, "the archive cannot reach the end of " +
                                         backup_name(*plan.backup) + ": WAL segment " +
                                         plan.missing_first + " is not archived")
          .with_detail("Recovery needs WAL up to " +
                       format_lsn(pipeline::backup_end(*plan.backup)) +
                       " to make the backup consistent.")
          .with_hint(
              "If the server still runs, its archiver may not have sent it yet: see "
              "walpipe status.");
    case Shortfall::kTimeline:
      return Status(Code::kInvalidArgument, "timeline " + std::to_string(plan.target_timeline) +
                                                " does not descend from timeline " +
                                                std::to_string(plan.backup_timeline) + " of " +
                                                backup_name(*plan.backup) + ": " + plan.bad_reason)
          .with_hint(
              "Recovery follows only a timeline that branched from the backup's after the "
              "backup's end: give another --target-timeline, or a backup taken on its history.");
    case Shortfall::kEndsBeforeTarget: {
      const bool time = plan.target.kind == RestoreTarget::Kind::kTime;
      return Status(Code::kNotFound, cannot_reach(plan) + ": " +
                                         (time ? "no commit at or after it is archived"
                                               : "no WAL at or after it is archived"))
          .with_detail(latest_text(plan) +
                       " Recovery would end before the target (\"recovery ended before configured "
                       "recovery target was reached\").")
          .with_hint(
              "If the server still runs, wait for its next segment to be archived; "
              "otherwise choose a target at or before the latest reachable point.");
    }
  }
  return Status::ok();
}

Status passed_over_status(const RestorePlan& passed, const RestorePlan& chosen) {
  const Status why = shortfall_status(passed);
  return Status(why.code(), why.message())
      .with_detail("The plan restores the older " + backup_name(*chosen.backup) + " instead.");
}

}  // namespace walpipe::cli
