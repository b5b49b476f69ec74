// What OpenSSL costs a process that uses it once, as every archive_command and restore_command
// of an encrypted archive does when no look-ahead or prefetcher serves it (bench_encrypt.sh):
// the time to load libcrypto, to use each primitive an age file needs for the first time in the
// process, and to use them all again. The difference between the last two is OpenSSL's own
// set-up (providers, name tables, DRBG), which no caller can share across processes.
//
// Usage: crypt_first_use. Prints "load_ms first_ms again_ms"; exits 1 when a primitive fails.
#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench_build.h"
#include "crypt/libcrypto.h"
#include "crypt/primitives.h"

namespace {

using Clock = std::chrono::steady_clock;
using walpipe::Bytes;
namespace crypt = walpipe::crypt;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// What opening one age file takes: an X25519 unwrap of the file key, HKDF, the header's HMAC and
// a 64 KiB STREAM chunk.
bool open_like_age() {
  crypt::SecretKey secret;
  std::array<std::byte, 1> seed;
  if (!crypt::random_bytes(seed).is_ok()) return false;
  secret.bytes.fill(seed[0]);
  walpipe::Result<crypt::PublicKey> own = crypt::x25519_public(secret);
  if (!own.is_ok()) return false;
  auto shared = crypt::x25519_shared(secret, *own);
  if (!shared.is_ok()) return false;
  auto key = crypt::hkdf_sha256(shared->bytes, {}, "age-encryption.org/v1/X25519");
  if (!key.is_ok()) return false;
  if (!crypt::hmac_sha256(key->bytes, {}).is_ok()) return false;
  crypt::ChaCha20Poly1305 aead(key->view());
  std::array<std::byte, crypt::kAeadNonceSize> nonce{};
  std::vector<std::byte> plain(64 * 1024), sealed(plain.size() + crypt::kAeadTagSize);
  return aead.seal(nonce, plain, sealed).is_ok();
}

}  // namespace

int main() {
  if (!walpipe::bench::build_is_reportable()) return 1;
  Clock::time_point start = Clock::now();
  if (!crypt::libcrypto().is_ok()) return 1;
  const double load = ms_since(start);
  start = Clock::now();
  if (!open_like_age()) return 1;
  const double first = ms_since(start);
  start = Clock::now();
  if (!open_like_age()) return 1;
  const double again = ms_since(start);
  std::printf("%.3f %.3f %.3f\n", load, first, again);
  return 0;
}
