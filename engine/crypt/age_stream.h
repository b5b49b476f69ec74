// The age payload (C2SP age specification, "Payload"): a 16-byte nonce, then the plaintext in
// chunks of 64 KiB, each sealed with ChaCha20-Poly1305 under
//
//   payload key = HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload")
//
// and the 12-byte AEAD nonce = 11-byte big-endian chunk counter || 0x01 for the final chunk,
// 0x00 otherwise. The final chunk may be short but is empty only when the whole payload is.
//
// Every chunk depends only on the key, its counter and whether it is last, so the functions here
// take a range of chunks: a caller's worker pool can split one object between threads (each call
// owns its own cipher context; disjoint ranges of the same buffers may run at once). The
// "sealed" buffers below are the payload after its nonce.
#pragma once

#include <cstddef>
#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "crypt/age_header.h"
#include "crypt/primitives.h"

namespace walpipe::crypt {

inline constexpr size_t kChunkSize = 64 * 1024;
inline constexpr size_t kSealedChunkSize = kChunkSize + kAeadTagSize;
inline constexpr size_t kPayloadNonceSize = 16;

using PayloadKey = Secret<32>;
using PayloadNonce = std::array<std::byte, kPayloadNonceSize>;

Result<PayloadKey> derive_payload_key(const FileKey& file_key, const PayloadNonce& nonce);

// Chunks of a plaintext of `plain_size` bytes: at least one (an empty payload is one empty final
// chunk).
size_t chunk_count(size_t plain_size);

// Bytes of the sealed chunks for a plaintext of `plain_size` bytes.
size_t sealed_size(size_t plain_size);

// The plaintext size behind `sealed_size` bytes of sealed chunks, or kCorruption when no
// plaintext can have that size: no chunk at all, a last chunk shorter than its tag, or an empty
// last chunk after a full one.
Result<size_t> opened_size(size_t sealed_size);

// Seals chunks [first, last) of `plain` into `sealed`, which is sealed_size(plain.size()) bytes.
// kIoError only when OpenSSL fails.
Status seal_chunks(const PayloadKey& key, Bytes plain, std::span<std::byte> sealed, size_t first,
                   size_t last);

// Opens chunks [first, last) of `sealed` into `plain`, which is opened_size(sealed.size())
// bytes (checked first by the caller). kCorruption naming the first chunk that fails: damaged,
// out of order, marked final with data after it, or a last chunk not marked final (truncated).
// The chunks before it are opened; nothing is promised of the rest of `plain`.
Status open_chunks(const PayloadKey& key, Bytes sealed, std::span<std::byte> plain, size_t first,
                   size_t last);

// Opens the whole chunks at the start of `sealed_prefix`, the first bytes of a payload that goes
// on past it (so none of them is the final chunk), into `plain` (kChunkSize bytes each; it must
// hold them all). Returns how many were opened. kCorruption as open_chunks says it.
Result<size_t> open_leading_chunks(const PayloadKey& key, Bytes sealed_prefix,
                                   std::span<std::byte> plain);

}  // namespace walpipe::crypt
