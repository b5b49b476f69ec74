// finish_io for walpipe-fault, the test-only build of the command: the chosen backend wrapped in
// the fault injector when WALPIPE_FAULT holds a plan ("OP:N:ACTION,…", see fault_io.h). A plan
// that names no operation is refused, so a test cannot pass without its fault.
#include <cstdlib>

#include "io_choice.h"
#include "support/fault_io.h"

namespace walpipe::cli {

Result<std::unique_ptr<io::Io>> finish_io(std::unique_ptr<io::Io> io) {
  const char* spec = std::getenv("WALPIPE_FAULT");
  if (spec == nullptr || *spec == '\0') return io;
  Result<std::vector<io::Fault>> faults = io::parse_faults(spec);
  if (!faults.is_ok()) return std::move(faults).take_status();
  return std::unique_ptr<io::Io>(std::make_unique<io::FaultIo>(std::move(io), std::move(*faults)));
}

}  // namespace walpipe::cli
