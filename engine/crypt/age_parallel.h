// The chunks of one age payload on several threads of the worker pool (base/worker_pool.h).
// Every chunk depends only on the payload key, its counter and whether it is last
// (age_stream.h), so disjoint ranges of chunks go to one task each; a payload of a few chunks
// stays on the calling thread, where handing work over costs more than it saves.
#pragma once

#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "crypt/age_stream.h"

namespace walpipe::crypt {

// seal_chunks() of every chunk of `plain` into `sealed` (sealed_size(plain.size()) bytes), on up
// to `threads` threads.
Status seal_parallel(const PayloadKey& key, Bytes plain, std::span<std::byte> sealed,
                     unsigned threads);

// open_chunks() of every chunk of `sealed` into `plain` (opened_size(sealed.size()) bytes), on
// up to `threads` threads; the failure reported is that of the first failing chunk.
Status open_parallel(const PayloadKey& key, Bytes sealed, std::span<std::byte> plain,
                     unsigned threads);

}  // namespace walpipe::crypt
