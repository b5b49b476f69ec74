#include "status_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>

#include "archive_option.h"
#include "exit_codes.h"
#include "io/io.h"

namespace walpipe::cli {

namespace {

// A threshold: a finite number, zero or more.
bool number_option(const std::string& command, const Args& args, const std::string& name,
                   double* out) {
  std::optional<std::string> text = args.get(name);
  if (!text) return true;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || errno != 0 || !std::isfinite(v) || v < 0) {
    usage_error(command, "invalid value \"" + *text + "\" for option --" + name);
    return false;
  }
  *out = v;
  return true;
}

bool ordered(const std::string& command, const std::string& what, double warning, double critical) {
  if (warning <= critical) return true;
  usage_error(command, "--warn-" + what + " is above --crit-" + what);
  return false;
}

}  // namespace

std::vector<OptionSpec> monitor_option_specs() {
  return {{"dbname", true, 'd'},      {"archive", true, 'a'},     {"pgdata", true, 'D'},
          {"warn-archive-age", true}, {"crit-archive-age", true}, {"warn-ready", true},
          {"crit-ready", true},       {"warn-disk", true},        {"crit-disk", true},
          {"connect-timeout", true},  {"pg-dbname", true}};
}

std::optional<MonitorSettings> monitor_settings(const std::string& command, const Args& args) {
  MonitorSettings s;
  monitor::Thresholds& t = s.thresholds;
  if (!number_option(command, args, "warn-archive-age", &t.archive_age_warning_s) ||
      !number_option(command, args, "crit-archive-age", &t.archive_age_critical_s) ||
      !number_option(command, args, "warn-ready", &t.ready_warning) ||
      !number_option(command, args, "crit-ready", &t.ready_critical) ||
      !number_option(command, args, "warn-disk", &t.disk_used_warning_pct) ||
      !number_option(command, args, "crit-disk", &t.disk_used_critical_pct) ||
      !ordered(command, "archive-age", t.archive_age_warning_s, t.archive_age_critical_s) ||
      !ordered(command, "ready", t.ready_warning, t.ready_critical) ||
      !ordered(command, "disk", t.disk_used_warning_pct, t.disk_used_critical_pct))
    return std::nullopt;
  std::optional<long> timeout = int_option(command, args, "connect-timeout", 2, 3600, 10);
  if (!timeout) return std::nullopt;
  // --dbname on the command line, pg-dbname in the configuration file.
  s.status.connect.conninfo = args.get("dbname").value_or(args.get("pg-dbname").value_or(""));
  s.status.connect.connect_timeout_s = static_cast<int>(*timeout);
  // libpq reads PGCONNECT_TIMEOUT itself; walpipe's default must not override it.
  s.status.connect.connect_timeout_from_environment =
      !args.has("connect-timeout") && std::getenv("PGCONNECT_TIMEOUT") != nullptr;
  s.status.pgdata = args.get("pgdata").value_or("");
  const char* env_archive = std::getenv("WALPIPE_ARCHIVE");
  if (args.has("archive") || (env_archive != nullptr && *env_archive != '\0')) {
    std::optional<std::string> dir = archive_dir(command, args);
    if (!dir) return std::nullopt;
    s.archive = *dir;
    s.args = args;
  }
  s.status.local_now = static_cast<double>(std::time(nullptr));
  return s;
}

namespace {

// The server's and the archive's side, as `settings` ask.
monitor::StatusReport gather(const MonitorSettings& settings) {
  io::SyncIo io;
  monitor::StatusOptions options = settings.status;
  std::unique_ptr<archive::Store> store;
  if (settings.archive) {
    store = open_archive(io, *settings.archive, settings.args);
    options.archive = store.get();
  }
  return monitor::gather_status(options);
}

}  // namespace

std::optional<MonitorReport> parse_and_gather(const std::string& command,
                                              const std::vector<std::string>& argv,
                                              std::vector<OptionSpec> extra, const char* help,
                                              int* exit_status) {
  std::vector<OptionSpec> specs = monitor_option_specs();
  specs.insert(specs.end(), extra.begin(), extra.end());
  std::optional<Args> args =
      parse_or_help(command, argv, specs, {help}, exit_code::kMonitorUnknown, exit_status);
  if (!args) return std::nullopt;
  if (!args->positional.empty()) {
    usage_error(command, "too many arguments");
    return std::nullopt;
  }
  std::optional<MonitorSettings> settings = monitor_settings(command, *args);
  if (!settings) return std::nullopt;
  monitor::StatusReport report = gather(*settings);
  std::vector<monitor::Alert> alerts = monitor::evaluate(report, settings->thresholds);
  return MonitorReport{std::move(*args), std::move(report), std::move(alerts)};
}

}  // namespace walpipe::cli
