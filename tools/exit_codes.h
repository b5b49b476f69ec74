// The one table of exit codes (docs/design.md, "Exit codes PostgreSQL relies on"). Tests assert
// these. PostgreSQL reads them differently on the two sides: for archive_command any non-zero code
// is "retry later"; for restore_command 1–125 means "not in the archive" (recovery ends and the
// server promotes) while above 125 stops recovery. So get uses 1 only for a confirmed absence.
#pragma once

namespace walpipe::exit_code {

inline constexpr int kOk = 0;

// verify
inline constexpr int kVerifyProblems = 1;  // at least one file is invalid
inline constexpr int kUsage = 2;           // bad arguments, or files that could not be read

// push (archive_command): every failure is below 126 so PostgreSQL retries instead of
// restarting its archiver.
inline constexpr int kPushFailed = 1;   // I/O error, full disk, …: retrying may succeed
inline constexpr int kPushUsage = 2;    // bad arguments or a hostile file name
inline constexpr int kPushRefused = 3;  // other cluster, different content, invalid WAL

// get (restore_command)
inline constexpr int kGetNotFound = 1;   // the archive confirms the file is absent
inline constexpr int kGetCorrupt = 200;  // present but damaged, or not what was asked for
inline constexpr int kGetIoError = 201;  // archive unreadable, I/O error, DEST not writable
inline constexpr int kGetUsage = 202;    // bad arguments or name: recovery must not go on

// status and metrics: a monitoring plugin's codes, which Nagios, Icinga and Sensu read.
inline constexpr int kMonitorOk = 0;
inline constexpr int kMonitorWarning = 1;
inline constexpr int kMonitorCritical = 2;  // also: the server cannot be reached
inline constexpr int kMonitorUnknown = 3;   // bad options, or a question walpipe cannot answer
// check
inline constexpr int kCheckFailed = 1;  // a step failed: the message says which and how to fix it
inline constexpr int kCheckUsage = 2;

// metrics: the figures are written whatever they say; only failing to write them is an error.
inline constexpr int kMetricsNotWritten = 1;

// get --remove-spool (recovery_end_command): on any other code than 1–125 PostgreSQL would not
// start, and a spool left behind is no reason for that; it warns and starts.
inline constexpr int kSpoolNotRemoved = 1;

// list
inline constexpr int kListProblems = 1;  // an object or .backup file named on stderr is not right
inline constexpr int kListUsage = 2;     // bad options or TIME, an unreadable archive or --backup

// restore-plan
inline constexpr int kPlanUnreachable = 1;  // the archive cannot take recovery to the target
inline constexpr int kPlanUsage = 2;  // bad options or target, an unreadable archive or --backup

// expire
inline constexpr int kExpireRefused = 1;  // a gap, an unusable object, or a removal that failed
inline constexpr int kExpireUsage = 2;    // bad options, an unreadable archive or --backup

// drill
inline constexpr int kDrillFailed = 1;  // the plan, the recovery or the check query failed
inline constexpr int kDrillUsage = 2;   // bad options, an unreadable archive, backup or setup

// copy
inline constexpr int kCopyIncomplete = 1;  // an object was not copied (damaged, or TO differs)
inline constexpr int kCopyUsage = 2;       // bad options, or an archive that cannot be used

}  // namespace walpipe::exit_code
