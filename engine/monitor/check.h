// walpipe check: the round trip a DBA runs after setting archiving up. The server's settings
// must archive through walpipe into this archive; then one segment is closed (only if the server
// wrote since the last switch, so no segment is wasted), and it must appear in the archive and
// verify, within a time limit. Each step is reported as it ends.
#pragma once

#include <functional>
#include <string>

#include "archive/store.h"
#include "io/io.h"
#include "pg/connection.h"

namespace walpipe::monitor {

struct CheckStep {
  std::string what;    // "archive_mode = on"
  bool passed = false;
  std::string detail;  // why it failed, or what it found
  std::string hint;    // what to fix, when it failed
};

struct CheckOptions {
  pg::ConnectOptions connect;
  archive::Store* archive = nullptr;  // the archive archive_command must push into
  double wait_seconds = 60;  // for the closed segment to reach the archive
};

// Calls `report` with each step as it ends; stops at the first step that makes the rest
// meaningless. True only when every step passed.
bool run_check(const CheckOptions& options,
               const std::function<void(const CheckStep&)>& report);

// Whether a shell command line runs `walpipe push` into `archive` (--archive DIR, -a DIR,
// --archive=DIR), comparing paths after removing trailing slashes. For archive_command.
bool command_pushes_to(const std::string& command_line, const std::string& archive);

}  // namespace walpipe::monitor
