#include "archive/walk.h"

#include <vector>

namespace walpipe::archive {

namespace {

// As many objects as a local folder lists in one window (local/local_store.cc) and as an S3
// listing returns at most in four pages: large enough to keep listings few.
constexpr size_t kListPage = 4096;

}  // namespace

Status for_each_object(Store& store, const std::function<Status(const ObjectEntry&)>& visit) {
  std::string after;
  for (;;) {
    WALPIPE_ASSIGN_OR_RETURN(std::vector<ObjectEntry> page, store.list(after, kListPage));
    for (const ObjectEntry& entry : page) WALPIPE_TRY(visit(entry));
    if (page.size() < kListPage) return Status::ok();
    after = page.back().key;
  }
}

}  // namespace walpipe::archive
