// The only door to OpenSSL: every cryptographic primitive walpipe uses (X25519, HKDF-SHA-256,
// ChaCha20-Poly1305, HMAC-SHA-256, the CSPRNG), wrapped so that the age framing above it never
// sees an EVP type. Nothing here is written by hand; these are thin calls into OpenSSL 3.
//
// Secrets live in Secret<N>, which wipes itself on destruction. No function here puts key
// material into a Status message.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX, kept out of this header's includes

namespace walpipe::crypt {

struct LibCrypto;  // crypt/libcrypto.h: the functions of the libcrypto loaded at run time

// Overwrites `size` bytes at `data` in a way the compiler cannot drop.
void wipe(void* data, size_t size);

template <size_t N>
struct Secret {
  std::array<std::byte, N> bytes{};
  Secret() = default;
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  ~Secret() { wipe(bytes.data(), N); }
  std::span<const std::byte, N> view() const { return bytes; }
};

inline constexpr size_t kX25519Size = 32;
inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kHmacSize = 32;

using PublicKey = std::array<std::byte, kX25519Size>;
using SecretKey = Secret<kX25519Size>;

// Fills `out` from OpenSSL's CSPRNG; kIoError when it is not seeded.
Status random_bytes(std::span<std::byte> out);

// X25519(secret, basepoint).
Result<PublicKey> x25519_public(const SecretKey& secret);

// X25519(secret, peer). kCorruption when the result is all zero (a low-order peer point), which
// age requires to abort; OpenSSL refuses that case itself, and it is checked again here.
Result<Secret<kX25519Size>> x25519_shared(const SecretKey& secret, const PublicKey& peer);

// HKDF-SHA-256 (extract with `salt`, empty allowed, then expand with `info`) to 32 bytes.
Result<Secret<32>> hkdf_sha256(Bytes ikm, Bytes salt, std::string_view info);

// HMAC-SHA-256 of `data` under `key`.
Result<std::array<std::byte, kHmacSize>> hmac_sha256(Bytes key, Bytes data);

// Constant-time comparison of equal-length byte strings.
Result<bool> equal_secret(Bytes a, Bytes b);

// ChaCha20-Poly1305 (RFC 7539) with one key and any number of messages. Each instance owns an
// OpenSSL context: use one per thread.
class ChaCha20Poly1305 {
 public:
  explicit ChaCha20Poly1305(std::span<const std::byte, kAeadKeySize> key);
  ChaCha20Poly1305(const ChaCha20Poly1305&) = delete;
  ChaCha20Poly1305& operator=(const ChaCha20Poly1305&) = delete;

  // Encrypts `plain` into `out` (plain.size() + 16 bytes: ciphertext then tag). kIoError when
  // OpenSSL fails (out of memory), never for the data.
  Status seal(std::span<const std::byte, kAeadNonceSize> nonce, Bytes plain,
              std::span<std::byte> out);
  // Decrypts `sealed` (ciphertext then tag, at least 16 bytes) into `out` (sealed.size() - 16
  // bytes). False when the tag does not verify (`out` then holds nothing usable); kIoError when
  // OpenSSL cannot start.
  Result<bool> unseal(std::span<const std::byte, kAeadNonceSize> nonce, Bytes sealed,
                      std::span<std::byte> out);

 private:
  Status init(std::span<const std::byte, kAeadNonceSize> nonce, int encrypt);

  struct Free {
    const LibCrypto* crypto;
    void operator()(evp_cipher_ctx_st* context) const;
  };
  const LibCrypto* crypto_ = nullptr;  // null when libcrypto could not be loaded
  std::unique_ptr<evp_cipher_ctx_st, Free> context_{nullptr, Free{nullptr}};
  bool keyed_ = false;
};

}  // namespace walpipe::crypt
