// The I/O backend for push and get: io_uring when the host allows it, else plain syscalls; and,
// for tests only, the fault-injection wrapper configured by WALPIPE_FAULT ("OP:N:ACTION,…").
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "io/io.h"

namespace walpipe::cli {

// `verbose` prints the choice (and why a fallback was taken) to stderr.
Result<std::unique_ptr<io::Io>> choose_io(const std::string& command, bool verbose);

}  // namespace walpipe::cli
