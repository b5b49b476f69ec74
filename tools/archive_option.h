// --archive DIR or the WALPIPE_ARCHIVE environment variable, shared by push and get.
#pragma once

#include <optional>
#include <string>

#include "cli.h"

namespace walpipe::cli {

std::optional<std::string> archive_dir(const Args& args);

}  // namespace walpipe::cli
