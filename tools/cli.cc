#include "cli.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "config.h"
#include "crypt_options.h"
#include "exit_codes.h"
#include "s3_options.h"

namespace walpipe::cli {

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = every.find(name);
  return it == every.end() ? std::vector<std::string>() : it->second;
}

void Args::set(const std::string& name, const std::string& value) {
  values[name] = value;
  every[name].push_back(value);
}

std::optional<long> int_option(const std::string& command, const Args& args,
                               const std::string& name, long min, long max, long fallback) {
  std::optional<std::string> value = args.get(name);
  if (!value) return fallback;
  char* end = nullptr;
  errno = 0;
  long n = std::strtol(value->c_str(), &end, 10);
  if (value->empty() || *end != '\0' || errno != 0 || n < min || n > max) {
    usage_error(command, "invalid value \"" + *value + "\" for option --" + name);
    return std::nullopt;
  }
  return n;
}

void usage_error(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "walpipe %s: error: %s\n", command.c_str(), message.c_str());
  std::fprintf(stderr, "walpipe %s: hint: Try \"walpipe %s --help\" for more information.\n",
               command.c_str(), command.c_str());
}

void print_error(const std::string& command, const std::string& text) {
  std::fprintf(stderr, "walpipe %s: error: %s\n", command.c_str(), text.c_str());
}

void print_warning(const std::string& command, const Status& warning) {
  std::fprintf(stderr, "walpipe %s: warning: %s\n", command.c_str(), warning.to_string().c_str());
}

namespace {

std::optional<Args> parse_command_line(const std::string& command,
                                       const std::vector<std::string>& argv,
                                       const std::vector<OptionSpec>& specs) {
  Args args;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      args.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name, value;
    bool has_inline_value = false;
    const OptionSpec* spec = nullptr;
    if (arg[1] == '-') {
      name = arg.substr(2);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_inline_value = true;
      }
      for (const auto& s : specs)
        if (s.name == name) spec = &s;
    } else {
      for (const auto& s : specs)
        if (s.short_name == arg[1]) spec = &s;
      // "-j4" carries its value; "-jx" for a flag is not an option.
      if (spec != nullptr && arg.size() > 2) {
        if (!spec->takes_value)
          spec = nullptr;
        else {
          value = arg.substr(2);
          has_inline_value = true;
        }
      }
    }
    if (spec == nullptr) {
      usage_error(command, "unrecognized option \"" + arg + "\"");
      return std::nullopt;
    }
    if (only_outside_command_line(spec->name)) {
      // The value is not repeated: it is a secret that has just been shown to every user.
      usage_error(command, "option \"--" + spec->name +
                               "\" cannot be given on the command line, where other users see it");
      return std::nullopt;
    }
    if (spec->takes_value && !has_inline_value) {
      if (i + 1 >= argv.size()) {
        usage_error(command, "option \"--" + spec->name + "\" requires a value");
        return std::nullopt;
      }
      value = argv[++i];
    } else if (!spec->takes_value && has_inline_value) {
      usage_error(command, "option \"--" + spec->name + "\" does not take a value");
      return std::nullopt;
    }
    args.set(spec->name, value);
  }
  return args;
}

}  // namespace

std::optional<Args> parse(const std::string& command, const std::vector<std::string>& argv,
                          const std::vector<OptionSpec>& specs) {
  std::vector<OptionSpec> with_config = specs;
  with_config.push_back({"help", false, '?'});
  if (std::any_of(specs.begin(), specs.end(),
                  [](const OptionSpec& s) { return s.name == "archive"; })) {
    std::vector<OptionSpec> s3 = s3_option_specs();
    with_config.insert(with_config.end(), s3.begin(), s3.end());
    std::vector<OptionSpec> keys = crypt_option_specs(command);
    with_config.insert(with_config.end(), keys.begin(), keys.end());
  }
  with_config.push_back({"config", true});
  std::optional<Args> args = parse_command_line(command, argv, with_config);
  // --help answers even when the file is broken: it is how one learns to fix it.
  if (!args || args->has("help")) return args;
  with_config.pop_back();
  Status applied = apply_config_file(with_config, &*args);
  if (applied.is_ok()) applied = load_crypt_keys(&*args);
  if (!applied.is_ok()) {
    print_error(command, applied.to_string());
    return std::nullopt;
  }
  return args;
}

std::optional<Args> parse_or_help(const std::string& command, const std::vector<std::string>& argv,
                                  const std::vector<OptionSpec>& specs,
                                  std::initializer_list<const char*> help, int usage_code,
                                  int* exit_status) {
  *exit_status = usage_code;
  std::optional<Args> args = parse(command, argv, specs);
  if (!args) return std::nullopt;
  if (args->has("help")) {
    for (const char* part : help) std::fputs(part, stdout);
    *exit_status = exit_code::kOk;
    return std::nullopt;
  }
  return args;
}

}  // namespace walpipe::cli
