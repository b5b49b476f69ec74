// The I/O backend for push and get: io_uring when the host allows it, else plain syscalls;
// WALPIPE_IO=sync asks for plain syscalls. The environment is read here, never in the engine.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "io/io.h"
#include "io/uring_io.h"

namespace walpipe::cli {

// `verbose` prints the choice (and why a fallback was taken) to stderr.
Result<std::unique_ptr<io::Io>> choose_io(const std::string& command, bool verbose);

// kSync when WALPIPE_IO is "sync", else kAuto; for code that makes its own backends.
io::IoChoice io_choice_from_env();

// Defined once per executable, so that what the shipped walpipe links cannot inject faults: its
// tools/io_plain.cc returns `io` as it is; walpipe-fault, built for the tests only, wraps it in
// the fault injector that WALPIPE_FAULT configures (tests/support/fault_io_choice.cc).
Result<std::unique_ptr<io::Io>> finish_io(std::unique_ptr<io::Io> io);

}  // namespace walpipe::cli
