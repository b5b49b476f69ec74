#include "crypt/age_parallel.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "base/worker_pool.h"

namespace walpipe::crypt {

namespace {

// 256 KiB of chunks a thread at least. With 1 MiB, a segment's object (1 to 3 MiB) mostly stayed
// on one thread, and its sealing was on the critical path of push and get whole.
constexpr size_t kChunksPerThread = 4;

// Runs `work(first, last)` over [0, count) split into ranges, the first on this thread and the
// others on the worker pool; returns the status of the lowest range that failed. Every range
// runs (no range's failure cancels the others) so that the failure reported does not depend on
// which thread was first.
Status split(size_t count, unsigned threads,
             const std::function<Status(size_t first, size_t last)>& work) {
  const size_t parts = std::max<size_t>(1, std::min<size_t>(threads, count / kChunksPerThread));
  std::vector<Status> results(parts);
  auto bounds = [&](size_t part) { return count * part / parts; };
  TaskGroup group;
  for (size_t part = 1; part < parts; ++part)
    group.run([&, part] {
      results[part] = work(bounds(part), bounds(part + 1));
      return Status::ok();
    });
  results[0] = work(bounds(0), bounds(1));
  const Status ranges = group.wait();  // the tasks return ok: their results are in `results`
  WALPIPE_CHECK(ranges.is_ok());
  for (Status& result : results)
    if (!result.is_ok()) return std::move(result);
  return Status::ok();
}

}  // namespace

Status seal_parallel(const PayloadKey& key, Bytes plain, std::span<std::byte> sealed,
                     unsigned threads) {
  return split(chunk_count(plain.size()), threads, [&](size_t first, size_t last) {
    return seal_chunks(key, plain, sealed, first, last);
  });
}

Status open_parallel(const PayloadKey& key, Bytes sealed, std::span<std::byte> plain,
                     unsigned threads) {
  return split(chunk_count(plain.size()), threads, [&](size_t first, size_t last) {
    return open_chunks(key, sealed, plain, first, last);
  });
}

}  // namespace walpipe::crypt
