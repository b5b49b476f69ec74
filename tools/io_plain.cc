// finish_io for the shipped walpipe: the backend as chosen. Its fault-injecting twin is linked
// into walpipe-fault only (tests/CMakeLists.txt).
#include "io_choice.h"

namespace walpipe::cli {

Result<std::unique_ptr<io::Io>> finish_io(std::unique_ptr<io::Io> io) { return io; }

}  // namespace walpipe::cli
