#include "io_choice.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace walpipe::cli {

io::IoChoice io_choice_from_env() {
  const char* forced = std::getenv("WALPIPE_IO");
  return forced && std::string_view(forced) == "sync" ? io::IoChoice::kSync : io::IoChoice::kAuto;
}

Result<std::unique_ptr<io::Io>> choose_io(const std::string& command, bool verbose) {
  io::IoChoice choice = io_choice_from_env();
  std::string why;
  std::unique_ptr<io::Io> io = io::make_default_io(choice, &why);
  if (choice == io::IoChoice::kSync) why = "sync (WALPIPE_IO=sync)";
  if (verbose)
    std::fprintf(stderr, "walpipe %s: debug: I/O backend: %s\n", command.c_str(), why.c_str());
  return finish_io(std::move(io));
}

}  // namespace walpipe::cli
