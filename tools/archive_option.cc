#include "archive_option.h"

#include <cstdlib>

namespace walpipe::cli {

std::optional<std::string> archive_dir(const Args& args) {
  if (auto dir = args.get("archive"); dir && !dir->empty()) return dir;
  if (const char* env = std::getenv("WALPIPE_ARCHIVE"); env && *env) return std::string(env);
  return std::nullopt;
}

}  // namespace walpipe::cli
