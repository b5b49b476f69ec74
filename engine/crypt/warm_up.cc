#include "crypt/warm_up.h"

#include <pthread.h>

#include <array>
#include <thread>

#include "base/mutex.h"
#include "crypt/primitives.h"

namespace walpipe::crypt {

namespace {

// A thread of its own, not a task of the worker pool: it overlaps the set-up with the caller's
// I/O, and fork() must be able to wait for it alone (below).
Mutex warm_up_mutex;
std::thread warm_up_thread GUARDED_BY(warm_up_mutex);
bool warm_up_started GUARDED_BY(warm_up_mutex) = false;

void join_warm_up() EXCLUDES(warm_up_mutex) {
  MutexLock lock(warm_up_mutex);
  if (warm_up_thread.joinable()) warm_up_thread.join();
}

// One call of each primitive an age file needs, on throwaway inputs: each brings in its share of
// OpenSSL's tables and code. What they return is of no interest; a real failure shows again on
// the real call.
void use_each_primitive() {
  std::array<std::byte, 1> random;
  (void)random_bytes(random);
  SecretKey secret;
  secret.bytes.fill(std::byte{0x5a});
  Result<PublicKey> own = x25519_public(secret);
  if (own.is_ok()) (void)x25519_shared(secret, *own);
  (void)hkdf_sha256(secret.bytes, {}, "walpipe warm-up");
  (void)hmac_sha256(secret.bytes, {});
  Secret<kAeadKeySize> key;
  ChaCha20Poly1305 aead(key.view());
  std::array<std::byte, kAeadNonceSize> nonce{};
  std::array<std::byte, kAeadTagSize> sealed;
  (void)aead.seal(nonce, {}, sealed);
}

}  // namespace

WarmUp::WarmUp() {
  MutexLock lock(warm_up_mutex);
  if (warm_up_started) return;
  warm_up_started = started_ = true;
  // A child forked while the set-up holds OpenSSL's locks would block on them for good (push's
  // look-ahead and get's prefetcher fork, then encrypt or decrypt): fork() waits for it first.
  // Without that handler (ENOMEM) no thread is started, and the set-up comes on first use.
  if (::pthread_atfork(join_warm_up, nullptr, nullptr) != 0) return;
  warm_up_thread = std::thread(use_each_primitive);
}

WarmUp::~WarmUp() {
  if (started_) join_warm_up();
}

}  // namespace walpipe::crypt
