// OpenSSL 3 calls behind primitives.h. Every failure path clears OpenSSL's error queue so a
// later, unrelated call does not report a stale error; the queue's text never reaches a message
// (it can name nothing secret, but it says nothing an operator can act on either).
#include "crypt/primitives.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <string>

namespace walpipe::crypt {
namespace {

const unsigned char* uc(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* uc(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }

Status openssl_failed(const std::string& what) {
  ERR_clear_error();
  return Status(Code::kIoError, "could not " + what + ": OpenSSL failed");
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct KdfFree {
  void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

}  // namespace

void wipe(void* data, size_t size) { OPENSSL_cleanse(data, size); }

Status random_bytes(std::span<std::byte> out) {
  if (RAND_bytes(uc(out.data()), static_cast<int>(out.size())) != 1)
    return openssl_failed("read random bytes");
  return Status::ok();
}

Result<PublicKey> x25519_public(const SecretKey& secret) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, uc(secret.bytes.data()),
                                        secret.bytes.size()));
  PublicKey out;
  size_t size = out.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), uc(out.data()), &size) != 1 ||
      size != out.size())
    return openssl_failed("compute an X25519 public key");
  return out;
}

Result<Secret<kX25519Size>> x25519_shared(const SecretKey& secret, const PublicKey& peer) {
  Pkey own(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, uc(secret.bytes.data()),
                                        secret.bytes.size()));
  Pkey other(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, uc(peer.data()), peer.size()));
  if (!own || !other) return openssl_failed("load an X25519 key");
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(own.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1)
    return openssl_failed("start an X25519 exchange");
  // OpenSSL refuses a peer whose exchange gives all zeros in set_peer or derive; both are the
  // low-order case and not an OpenSSL malfunction.
  Secret<kX25519Size> shared;
  size_t size = shared.bytes.size();
  if (EVP_PKEY_derive_set_peer(ctx.get(), other.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), uc(shared.bytes.data()), &size) != 1 || size != kX25519Size) {
    ERR_clear_error();
    return Status(Code::kCorruption, "X25519 share is a low-order point");
  }
  const bool all_zero = std::all_of(shared.bytes.begin(), shared.bytes.end(),
                                    [](std::byte b) { return b == std::byte{0}; });
  if (all_zero)
    return Status(Code::kCorruption, "X25519 share is a low-order point");
  return shared;
}

Result<Secret<32>> hkdf_sha256(Bytes ikm, Bytes salt, std::string_view info) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  if (!kdf) return openssl_failed("load HKDF");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return openssl_failed("start HKDF");
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<std::byte*>(ikm.data()), ikm.size());
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  // An absent salt is HashLen zero bytes (RFC 5869 2.2), the same HMAC key as an empty salt;
  // OpenSSL may refuse a zero-length octet string, so the empty salt is simply not passed.
  if (!salt.empty())
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<std::byte*>(salt.data()), salt.size());
  params[n] = OSSL_PARAM_construct_end();
  Secret<32> out;
  if (EVP_KDF_derive(ctx.get(), uc(out.bytes.data()), out.bytes.size(), params) != 1)
    return openssl_failed("derive a key with HKDF");
  return out;
}

Result<std::array<std::byte, kHmacSize>> hmac_sha256(Bytes key, Bytes data) {
  std::array<std::byte, kHmacSize> out;
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), uc(data.data()), data.size(),
           uc(out.data()), &size) == nullptr ||
      size != out.size())
    return openssl_failed("compute an HMAC");
  return out;
}

bool equal_secret(Bytes a, Bytes b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void ChaCha20Poly1305::Free::operator()(evp_cipher_ctx_st* context) const {
  EVP_CIPHER_CTX_free(context);
}

ChaCha20Poly1305::ChaCha20Poly1305(std::span<const std::byte, kAeadKeySize> key)
    : context_(EVP_CIPHER_CTX_new()) {
  // The key is set once; each message then only sets its nonce. A failure here leaves the
  // instance unkeyed and every seal/open reports it.
  keyed_ = context_ &&
           EVP_CipherInit_ex(context_.get(), EVP_chacha20_poly1305(), nullptr, uc(key.data()),
                             nullptr, 1) == 1;
  if (!keyed_) ERR_clear_error();
}

Status ChaCha20Poly1305::init(std::span<const std::byte, kAeadNonceSize> nonce, int encrypt) {
  if (!keyed_ ||
      EVP_CipherInit_ex(context_.get(), nullptr, nullptr, nullptr, uc(nonce.data()), encrypt) != 1)
    return openssl_failed("start ChaCha20-Poly1305");
  return Status::ok();
}

Status ChaCha20Poly1305::seal(std::span<const std::byte, kAeadNonceSize> nonce, Bytes plain,
                              std::span<std::byte> out) {
  WALPIPE_CHECK(out.size() == plain.size() + kAeadTagSize);
  WALPIPE_TRY(init(nonce, 1));
  int written = 0, final_written = 0;
  if ((!plain.empty() && EVP_CipherUpdate(context_.get(), uc(out.data()), &written,
                                          uc(plain.data()), static_cast<int>(plain.size())) != 1) ||
      EVP_CipherFinal_ex(context_.get(), uc(out.data()) + written, &final_written) != 1 ||
      static_cast<size_t>(written + final_written) != plain.size() ||
      EVP_CIPHER_CTX_ctrl(context_.get(), EVP_CTRL_AEAD_GET_TAG, kAeadTagSize,
                          uc(out.data()) + plain.size()) != 1)
    return openssl_failed("encrypt with ChaCha20-Poly1305");
  return Status::ok();
}

Result<bool> ChaCha20Poly1305::unseal(std::span<const std::byte, kAeadNonceSize> nonce,
                                    Bytes sealed, std::span<std::byte> out) {
  WALPIPE_CHECK(sealed.size() >= kAeadTagSize);
  WALPIPE_CHECK(out.size() == sealed.size() - kAeadTagSize);
  WALPIPE_TRY(init(nonce, 0));
  const size_t size = out.size();
  std::array<std::byte, kAeadTagSize> tag;
  std::copy_n(sealed.data() + size, kAeadTagSize, tag.data());
  int written = 0, final_written = 0;
  if (EVP_CIPHER_CTX_ctrl(context_.get(), EVP_CTRL_AEAD_SET_TAG, kAeadTagSize, uc(tag.data())) !=
      1)
    return openssl_failed("decrypt with ChaCha20-Poly1305");
  // Only the tag check fails on bad data; whatever else fails is read as damage too, which is
  // the safe side (the bytes are not released).
  const bool ok =
      (size == 0 || EVP_CipherUpdate(context_.get(), uc(out.data()), &written,
                                     uc(sealed.data()), static_cast<int>(size)) == 1) &&
      EVP_CipherFinal_ex(context_.get(), uc(out.data()) + written, &final_written) == 1 &&
      static_cast<size_t>(written + final_written) == size;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace walpipe::crypt
