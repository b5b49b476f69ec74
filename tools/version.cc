#include "version.h"

#include <xxhash.h>
#include <zstd.h>

#include "pg/connection.h"

namespace walpipe::cli {
namespace {

std::string line(const std::string& name, const std::string& version, const char* source) {
  return name + " " + version + " (" + source + ")\n";
}

// XXH_versionNumber() is major * 10000 + minor * 100 + release.
std::string xxhash_version() {
  const unsigned v = XXH_versionNumber();
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

// libpq is loaded only by the commands that talk to a server (pg/libpq.h), and only then.
std::string libpq_line() {
  Result<std::string> v = pg::libpq_version();
  if (!v.is_ok())
    return "libpq not found (status, check and metrics need it: apt-get install libpq5)\n";
  return line("libpq", *v, "loaded by status, check and metrics");
}

}  // namespace

std::string version_text() {
  // liburing reports its version only from 2.4 on (io_uring_major_version()), and ISA-L not at
  // all; Debian 12 ships liburing 2.3.
  return std::string("walpipe " WALPIPE_VERSION "\n") +
         line("libzstd", ZSTD_versionString(), "run time") +
         line("liburing", WALPIPE_LIBURING_VERSION, "built against") +
         line("libxxhash", xxhash_version(), "compiled in") +
         line("libisal", WALPIPE_LIBISAL_VERSION, "built against") + libpq_line();
}

}  // namespace walpipe::cli
