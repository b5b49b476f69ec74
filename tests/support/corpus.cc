#include "support/corpus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "pipeline/file_loader.h"

namespace walpipe::testing {

std::string corpus_dir() { return WALPIPE_CORPUS_DIR; }

std::vector<std::string> corpus_files() {
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::path root(corpus_dir());
  if (!std::filesystem::is_directory(root, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string rel = std::filesystem::relative(it->path(), root).string();
    if (!rel.ends_with(".zst")) continue;
    out.push_back(rel.substr(0, rel.size() - 4));
  }
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<std::byte>& corpus_bytes(const std::string& relative) {
  static std::mutex mu;
  static std::map<std::string, std::vector<std::byte>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(relative);
  if (it != cache.end()) return it->second;
  pipeline::FileLoader loader;
  std::string path = corpus_dir() + "/" + relative + ".zst";
  bool text = relative.ends_with(".history") || relative.ends_with(".backup");
  auto loaded = loader.load(path, text);
  if (!loaded.is_ok()) ADD_FAILURE() << loaded.status().to_string();
  auto data = loader.data();
  return cache.emplace(relative, std::vector<std::byte>(data.begin(), data.end())).first->second;
}

std::string base_name(const std::string& relative) {
  size_t slash = relative.find_last_of('/');
  return slash == std::string::npos ? relative : relative.substr(slash + 1);
}

}  // namespace walpipe::testing
