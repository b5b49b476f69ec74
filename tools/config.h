// The configuration file (walpipe.conf): settings a command takes when its command line does not
// give them, so that archive locations, keys and endpoints need not live in postgresql.conf.
//
// Which file: --config FILE, else $WALPIPE_CONFIG, else /etc/walpipe/walpipe.conf. The default
// may be absent (nothing is read then); a file named by --config or WALPIPE_CONFIG must exist.
// Precedence: the command line, then an option's environment variable (WALPIPE_ARCHIVE), then
// the file. Format: engine/config/config_text.h.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "cli.h"

namespace walpipe::cli {

inline constexpr const char* kDefaultConfigPath = "/etc/walpipe/walpipe.conf";

// Reads the configuration file (`args` holds "config" when --config was given) and sets in
// `args` each option of `specs` that the file sets and the command line did not; a flag is set
// when its value is on/true/yes/1 and left unset for off/false/no/0. Keys that are another
// command's options are ignored. kInvalidArgument, naming the file and the line, for a file that
// cannot be parsed, a key no command knows, a key only the command line may give, or a flag
// whose value is not a boolean; kInvalidArgument too for a file holding a secret that users
// other than its owner may read. kNotFound for a named file that does not exist, and the
// errno's status for one that cannot be read. Messages never show a value.
Status apply_config_file(const std::vector<OptionSpec>& specs, Args* args);

// Whether `option` is a secret that the file or its environment variable may give, and the
// command line may not.
bool only_outside_command_line(std::string_view option);

}  // namespace walpipe::cli
