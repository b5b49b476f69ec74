#include "crypt/age_stream.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace walpipe::crypt {
namespace {

using ChunkNonce = std::array<std::byte, kAeadNonceSize>;

ChunkNonce chunk_nonce(size_t counter, bool final) {
  ChunkNonce nonce{};
  // Bytes 0-2 of the 11-byte counter stay zero: a size_t counter never reaches them.
  for (size_t i = 0; i < sizeof(uint64_t); ++i)
    nonce[10 - i] = static_cast<std::byte>((static_cast<uint64_t>(counter) >> (8 * i)) & 0xff);
  nonce[11] = final ? std::byte{1} : std::byte{0};
  return nonce;
}

std::string chunk_name(size_t index, size_t count) {
  return "age payload chunk " + std::to_string(index + 1) + " of " + std::to_string(count);
}

// Why chunk `index` failed with its expected flag: a chunk that opens with the other flag was
// moved to or from the end, which says truncation or appended data rather than damage.
Status explain_failure(ChaCha20Poly1305& aead, Bytes sealed_chunk, std::span<std::byte> out,
                       size_t index, size_t count) {
  const bool final = index + 1 == count;
  WALPIPE_ASSIGN_OR_RETURN(bool other, aead.unseal(chunk_nonce(index, !final), sealed_chunk, out));
  if (other && final)
    return Status(Code::kCorruption, "age payload is truncated: chunk " + std::to_string(count) +
                                         " of " + std::to_string(count) + " is not the final one");
  if (other)
    return Status(Code::kCorruption, chunk_name(index, count) + " is final, yet data follows it");
  return Status(Code::kCorruption,
                chunk_name(index, count) + " fails authentication: it is damaged or out of order");
}

}  // namespace

Result<PayloadKey> derive_payload_key(const FileKey& file_key, const PayloadNonce& nonce) {
  return hkdf_sha256(file_key.bytes, nonce, "payload");
}

size_t chunk_count(size_t plain_size) {
  return plain_size == 0 ? 1 : (plain_size + kChunkSize - 1) / kChunkSize;
}

size_t sealed_size(size_t plain_size) {
  return plain_size + chunk_count(plain_size) * kAeadTagSize;
}

Result<size_t> opened_size(size_t sealed) {
  if (sealed == 0) return Status(Code::kCorruption, "age payload is truncated: it has no chunk");
  const size_t count = (sealed + kSealedChunkSize - 1) / kSealedChunkSize;
  const size_t last = sealed - (count - 1) * kSealedChunkSize;
  if (last < kAeadTagSize)
    return Status(Code::kCorruption, "age payload ends inside a chunk: " + std::to_string(last) +
                                         " bytes follow the last whole chunk");
  if (last == kAeadTagSize && count > 1)
    return Status(Code::kCorruption, "age payload ends with an empty chunk after a full one");
  return sealed - count * kAeadTagSize;
}

Status seal_chunks(const PayloadKey& key, Bytes plain, std::span<std::byte> sealed, size_t first,
                   size_t last) {
  const size_t count = chunk_count(plain.size());
  WALPIPE_CHECK(sealed.size() == sealed_size(plain.size()));
  WALPIPE_CHECK(first <= last && last <= count);
  ChaCha20Poly1305 aead(key.view());
  for (size_t i = first; i < last; ++i) {
    const size_t at = i * kChunkSize;
    const size_t size = std::min(kChunkSize, plain.size() - at);
    WALPIPE_TRY(aead.seal(chunk_nonce(i, i + 1 == count), plain.subspan(at, size),
                          sealed.subspan(i * kSealedChunkSize, size + kAeadTagSize)));
  }
  return Status::ok();
}

Status open_chunks(const PayloadKey& key, Bytes sealed, std::span<std::byte> plain, size_t first,
                   size_t last) {
  const size_t count = chunk_count(plain.size());
  WALPIPE_CHECK(sealed.size() == sealed_size(plain.size()));
  WALPIPE_CHECK(first <= last && last <= count);
  ChaCha20Poly1305 aead(key.view());
  for (size_t i = first; i < last; ++i) {
    const size_t at = i * kChunkSize;
    const size_t size = std::min(kChunkSize, plain.size() - at);
    const Bytes chunk = sealed.subspan(i * kSealedChunkSize, size + kAeadTagSize);
    const std::span<std::byte> out = plain.subspan(at, size);
    WALPIPE_ASSIGN_OR_RETURN(bool opened, aead.unseal(chunk_nonce(i, i + 1 == count), chunk, out));
    if (!opened) return explain_failure(aead, chunk, out, i, count);
  }
  return Status::ok();
}

Result<size_t> open_leading_chunks(const PayloadKey& key, Bytes sealed_prefix,
                                   std::span<std::byte> plain) {
  const size_t count = sealed_prefix.size() / kSealedChunkSize;
  WALPIPE_CHECK(plain.size() >= count * kChunkSize);
  ChaCha20Poly1305 aead(key.view());
  for (size_t i = 0; i < count; ++i) {
    const Bytes chunk = sealed_prefix.subspan(i * kSealedChunkSize, kSealedChunkSize);
    WALPIPE_ASSIGN_OR_RETURN(bool opened, aead.unseal(chunk_nonce(i, false), chunk,
                                                      plain.subspan(i * kChunkSize, kChunkSize)));
    if (!opened)
      return Status(Code::kCorruption, "age payload chunk " + std::to_string(i + 1) +
                                           " fails authentication: it is damaged or out of order");
  }
  return count;
}

}  // namespace walpipe::crypt
