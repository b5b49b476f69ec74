// crypt::WarmUp sets OpenSSL up on a thread of its own. The test is alone in its program: the
// set-up happens once per process, and what is tested is a fork() while it is under way, as
// push's look-ahead and get's prefetcher fork: the child must still encrypt, not block for good on
// locks the vanished thread held.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <thread>

#include "crypt/primitives.h"
#include "crypt/warm_up.h"

namespace walpipe::crypt {
namespace {

// What the child does: every primitive of an age file once; 0 when all answered.
int use_primitives() {
  SecretKey secret;
  secret.bytes.fill(std::byte{7});
  Result<PublicKey> own = x25519_public(secret);
  if (!own.is_ok() || !x25519_shared(secret, *own).is_ok()) return 1;
  if (!hkdf_sha256(secret.bytes, {}, "test").is_ok()) return 2;
  std::array<std::byte, 16> random;
  if (!random_bytes(random).is_ok()) return 3;
  Secret<kAeadKeySize> key;
  ChaCha20Poly1305 aead(key.view());
  std::array<std::byte, kAeadNonceSize> nonce{};
  std::array<std::byte, 4 + kAeadTagSize> sealed;
  const std::array<std::byte, 4> plain{};
  return aead.seal(nonce, plain, sealed).is_ok() ? 0 : 4;
}

TEST(WarmUp, AChildForkedWhileItRunsStillEncrypts) {
  WarmUp warm_up;
  // Into the set-up, which takes milliseconds: a fork at once may come before it has begun.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(20);  // a child blocked on OpenSSL's set-up dies of SIGALRM
    ::_exit(use_primitives());
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(use_primitives(), 0);
}

}  // namespace
}  // namespace walpipe::crypt
