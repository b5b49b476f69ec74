// How long to wait before the next try: exponential backoff with full jitter (a random wait
// between zero and a doubling cap), so that clients throttled together do not return together.
#pragma once

#include <cstdint>
#include <random>

namespace walpipe::s3 {

class Backoff {
 public:
  // first_ms: the cap of the first wait; max_ms: the cap never exceeded.
  Backoff(long first_ms, long max_ms, uint64_t seed);

  // The wait before try number `tries + 1`, in milliseconds, given `tries` tries so far (>= 1).
  long next_wait_ms(int tries);

 private:
  long first_ms_;
  long max_ms_;
  std::mt19937_64 random_;
};

}  // namespace walpipe::s3
