#include "s3/backoff.h"

#include <algorithm>

#include "base/check.h"

namespace walpipe::s3 {

Backoff::Backoff(long first_ms, long max_ms, uint64_t seed)
    : first_ms_(first_ms), max_ms_(max_ms), random_(seed) {
  WALPIPE_CHECK(first_ms > 0 && max_ms >= first_ms);
}

long Backoff::next_wait_ms(int tries) {
  WALPIPE_CHECK(tries >= 1);
  long cap = first_ms_;
  for (int i = 1; i < tries && cap < max_ms_; ++i) cap *= 2;
  cap = std::min(cap, max_ms_);
  std::uniform_int_distribution<long> pick(0, cap);
  return pick(random_);
}

}  // namespace walpipe::s3
