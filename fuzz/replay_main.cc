// Stands in for libFuzzer's main() so that compilers without libFuzzer (GCC CI) still run every
// target over its committed corpus: each crash found once stays a regression test.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

bool collect(const fs::path& arg, std::vector<fs::path>* files) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    files->push_back(arg);
    return true;
  }
  if (!fs::is_directory(arg, ec)) {
    std::fprintf(stderr, "replay: \"%s\" is neither a file nor a directory\n", arg.c_str());
    return false;
  }
  for (const auto& entry : fs::recursive_directory_iterator(arg, ec))
    if (entry.is_regular_file()) files->push_back(entry.path());
  if (ec) {
    std::fprintf(stderr, "replay: could not read directory \"%s\": %s\n", arg.c_str(),
                 ec.message().c_str());
    return false;
  }
  return true;
}

bool replay(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    std::fprintf(stderr, "replay: could not read file \"%s\"\n", file.c_str());
    return false;
  }
  // An allocation of exactly the input's size, as libFuzzer passes it, so that a sanitizer
  // build catches a read one byte past the end.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
  std::copy(bytes.begin(), bytes.end(), copy.get());
  LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i)
    if (!collect(argv[i], &files)) return 1;
  // A replay over nothing would pass while proving nothing, e.g. after a corpus was moved.
  if (files.empty()) {
    std::fprintf(stderr, "replay: no input files found\n");
    return 1;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::fprintf(stderr, "replay: %s\n", file.c_str());
    if (!replay(file)) return 1;
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
