#include "io_choice.h"

#include <cstdio>
#include <cstdlib>

#include "io/fault_io.h"
#include "io/uring_io.h"

namespace walpipe::cli {

Result<std::unique_ptr<io::Io>> choose_io(const std::string& command, bool verbose) {
  std::string why;
  std::unique_ptr<io::Io> io = io::make_default_io(&why);
  if (verbose)
    std::fprintf(stderr, "walpipe %s: debug: I/O backend: %s\n", command.c_str(), why.c_str());
  if (const char* spec = std::getenv("WALPIPE_FAULT"); spec && *spec) {
    Result<std::vector<io::Fault>> faults = io::parse_faults(spec);
    if (!faults.is_ok()) return std::move(faults).take_status();
    io = std::make_unique<io::FaultIo>(std::move(io), std::move(*faults));
  }
  return io;
}

}  // namespace walpipe::cli
