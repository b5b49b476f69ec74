// FileLoader over an arbitrary file, raw or zstd: whatever the bytes claim, the result is a
// Status or data within the documented limits. The input is written to one temporary file per
// process because the loader reads from a path.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/check.h"
#include "pipeline/file_loader.h"

namespace {

using namespace walpipe;

class TempFile {
 public:
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/walpipe_loader_fuzz.XXXXXX";
    int fd = ::mkstemp(path_.data());
    WALPIPE_CHECK(fd >= 0);
    ::close(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }

  void write(const uint8_t* data, size_t size) {
    int fd = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    WALPIPE_CHECK(fd >= 0);
    for (size_t done = 0; done < size;) {
      ssize_t n = ::write(fd, data + done, size - done);
      WALPIPE_CHECK(n > 0);
      done += static_cast<size_t>(n);
    }
    WALPIPE_CHECK(::close(fd) == 0);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// memcmp rather than std::equal: a byte loop in this file is instrumented for libFuzzer's
// comparison tracing and would cost more than the load itself.
bool same_bytes(const void* a, size_t a_size, Bytes b) {
  return a_size == b.size() && (a_size == 0 || std::memcmp(a, b.data(), a_size) == 0);
}

void check_loaded(const Result<pipeline::LoadedFile>& loaded, const pipeline::FileLoader& loader,
                  const uint8_t* data, size_t size, bool text_file) {
  if (!loaded.is_ok()) {
    // An object from a newer walpipe is intact but unreadable here: unsupported, not corrupt.
    Code code = loaded.status().code();
    WALPIPE_CHECK(code == Code::kCorruption || code == Code::kUnsupported);
    return;
  }
  WALPIPE_CHECK(loaded->stored_size == size);
  uint64_t limit = text_file ? pipeline::kMaxTextFileSize : pipeline::kMaxSegmentFileSize;
  WALPIPE_CHECK(loader.data().size() <= limit);
  if (!loaded->compressed) WALPIPE_CHECK(same_bytes(data, size, loader.data()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TempFile file;
  file.write(data, size);
  // One loader for every load, as a pipeline worker keeps one for all its files: what it returns
  // must not depend on what it held before. Reuse also keeps its buffers mapped, which is most
  // of the speed of this target.
  static pipeline::FileLoader loader;
  auto segment = loader.load(file.path(), false);
  check_loaded(segment, loader, data, size, false);
  static std::vector<std::byte> first;
  first.assign(loader.data().begin(), loader.data().end());
  auto text = loader.load(file.path(), true);
  check_loaded(text, loader, data, size, true);
  auto again = loader.load(file.path(), false);
  check_loaded(again, loader, data, size, false);
  WALPIPE_CHECK(again.is_ok() == segment.is_ok());
  if (again.is_ok()) WALPIPE_CHECK(same_bytes(first.data(), first.size(), loader.data()));
  return 0;
}
