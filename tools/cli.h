// Argument parsing shared by every command: GNU-style long options, "--" ends options, and
// PostgreSQL-style usage errors. No engine logic here.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/sealing.h"
#include "base/status.h"

namespace walpipe::cli {

struct OptionSpec {
  std::string name;  // without the leading "--"
  bool takes_value = false;
  char short_name = 0;
};

struct Args {
  std::map<std::string, std::string> values;  // option → its last value ("" for flags)
  std::map<std::string, std::vector<std::string>> every;  // option → each value, in order
  std::vector<std::string> positional;
  // The keys of an encrypted archive the options name (crypt_options.h); null when none.
  std::shared_ptr<const archive::SealingKeys> keys;
  bool has(const std::string& name) const { return values.count(name) != 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  void set(const std::string& name, const std::string& value);
};

// Parses argv for `command`, then fills in from the configuration file (config.h) the options
// the command line did not give; every command also takes --help (-?) and --config FILE. On error
// prints the PostgreSQL-style lines and returns nullopt: the caller exits with its usage code.
std::optional<Args> parse(const std::string& command, const std::vector<std::string>& argv,
                          const std::vector<OptionSpec>& specs);

// parse() for a command that answers --help. nullopt when the command has nothing more to do,
// *exit_status saying how it ends: kOk after printing `help`, its parts in order, for --help;
// `usage_code` after parse() printed what is wrong.
std::optional<Args> parse_or_help(const std::string& command, const std::vector<std::string>& argv,
                                  const std::vector<OptionSpec>& specs,
                                  std::initializer_list<const char*> help, int usage_code,
                                  int* exit_status);

// The value of integer option `name` within [min, max]: `fallback` when absent; nullopt, after
// printing the usage error, when it is not a number in range.
std::optional<long> int_option(const std::string& command, const Args& args,
                               const std::string& name, long min, long max, long fallback);

// "walpipe CMD: error: MESSAGE" and the hint line pointing at --help.
void usage_error(const std::string& command, const std::string& message);

// A command's error, PostgreSQL style: "walpipe CMD: error: …", with DETAIL/HINT lines as given.
void print_error(const std::string& command, const std::string& text);
// "walpipe CMD: warning: …": something the operator must fix that did not stop the command.
void print_warning(const std::string& command, const Status& warning);

}  // namespace walpipe::cli
