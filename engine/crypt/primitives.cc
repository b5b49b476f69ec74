// OpenSSL 3 calls behind primitives.h, through the libcrypto loaded at run time (libcrypto.h).
// Every failure path clears OpenSSL's error queue so a later, unrelated call does not report a
// stale error; the queue's text never reaches a message (it can name nothing secret, but it says
// nothing an operator can act on either).
#include "crypt/primitives.h"

#include <openssl/core_names.h>
#include <string.h>

#include <algorithm>
#include <memory>
#include <string>

#include "crypt/libcrypto.h"

namespace walpipe::crypt {
namespace {

const unsigned char* uc(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* uc(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }

Status openssl_failed(const LibCrypto* c, const std::string& what) {
  c->err_clear_error();
  return Status(Code::kIoError, "could not " + what + ": OpenSSL failed");
}

// Each object freed by the function libcrypto itself was loaded with.
template <typename T>
using Owned = std::unique_ptr<T, void (*)(T*)>;

}  // namespace

// libc's, not OpenSSL's: identity files are read and wiped by processes that never encrypt, and
// would load libcrypto only for this.
void wipe(void* data, size_t size) { ::explicit_bzero(data, size); }

Status random_bytes(std::span<std::byte> out) {
  WALPIPE_ASSIGN_OR_RETURN(const LibCrypto* c, libcrypto());
  if (c->rand_bytes(uc(out.data()), static_cast<int>(out.size())) != 1)
    return openssl_failed(c, "read random bytes");
  return Status::ok();
}

Result<PublicKey> x25519_public(const SecretKey& secret) {
  WALPIPE_ASSIGN_OR_RETURN(const LibCrypto* c, libcrypto());
  Owned<EVP_PKEY> key(c->pkey_new_raw_private_key(EVP_PKEY_X25519, nullptr, uc(secret.bytes.data()),
                                                  secret.bytes.size()),
                      c->pkey_free);
  PublicKey out;
  size_t size = out.size();
  if (!key || c->pkey_get_raw_public_key(key.get(), uc(out.data()), &size) != 1 ||
      size != out.size())
    return openssl_failed(c, "compute an X25519 public key");
  return out;
}

Result<Secret<kX25519Size>> x25519_shared(const SecretKey& secret, const PublicKey& peer) {
  WALPIPE_ASSIGN_OR_RETURN(const LibCrypto* c, libcrypto());
  Owned<EVP_PKEY> own(c->pkey_new_raw_private_key(EVP_PKEY_X25519, nullptr, uc(secret.bytes.data()),
                                                  secret.bytes.size()),
                      c->pkey_free);
  Owned<EVP_PKEY> other(
      c->pkey_new_raw_public_key(EVP_PKEY_X25519, nullptr, uc(peer.data()), peer.size()),
      c->pkey_free);
  if (!own || !other) return openssl_failed(c, "load an X25519 key");
  Owned<EVP_PKEY_CTX> ctx(c->pkey_ctx_new(own.get(), nullptr), c->pkey_ctx_free);
  if (!ctx || c->pkey_derive_init(ctx.get()) != 1)
    return openssl_failed(c, "start an X25519 exchange");
  // OpenSSL refuses a peer whose exchange gives all zeros in set_peer or derive; both are the
  // low-order case and not an OpenSSL malfunction.
  Secret<kX25519Size> shared;
  size_t size = shared.bytes.size();
  if (c->pkey_derive_set_peer(ctx.get(), other.get()) != 1 ||
      c->pkey_derive(ctx.get(), uc(shared.bytes.data()), &size) != 1 || size != kX25519Size) {
    c->err_clear_error();
    return Status(Code::kCorruption, "X25519 share is a low-order point");
  }
  const bool all_zero = std::all_of(shared.bytes.begin(), shared.bytes.end(),
                                    [](std::byte b) { return b == std::byte{0}; });
  if (all_zero) return Status(Code::kCorruption, "X25519 share is a low-order point");
  return shared;
}

Result<Secret<32>> hkdf_sha256(Bytes ikm, Bytes salt, std::string_view info) {
  WALPIPE_ASSIGN_OR_RETURN(const LibCrypto* c, libcrypto());
  Owned<EVP_KDF> kdf(c->kdf_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr), c->kdf_free);
  if (!kdf) return openssl_failed(c, "load HKDF");
  Owned<EVP_KDF_CTX> ctx(c->kdf_ctx_new(kdf.get()), c->kdf_ctx_free);
  if (!ctx) return openssl_failed(c, "start HKDF");
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = c->param_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] =
      c->param_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::byte*>(ikm.data()), ikm.size());
  params[n++] =
      c->param_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  // An absent salt is HashLen zero bytes (RFC 5869 2.2), the same HMAC key as an empty salt;
  // OpenSSL may refuse a zero-length octet string, so the empty salt is simply not passed.
  if (!salt.empty())
    params[n++] = c->param_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::byte*>(salt.data()),
                                        salt.size());
  params[n] = c->param_end();
  Secret<32> out;
  if (c->kdf_derive(ctx.get(), uc(out.bytes.data()), out.bytes.size(), params) != 1)
    return openssl_failed(c, "derive a key with HKDF");
  return out;
}

Result<std::array<std::byte, kHmacSize>> hmac_sha256(Bytes key, Bytes data) {
  WALPIPE_ASSIGN_OR_RETURN(const LibCrypto* c, libcrypto());
  std::array<std::byte, kHmacSize> out;
  unsigned int size = 0;
  if (c->hmac(c->sha256(), key.data(), static_cast<int>(key.size()), uc(data.data()), data.size(),
              uc(out.data()), &size) == nullptr ||
      size != out.size())
    return openssl_failed(c, "compute an HMAC");
  return out;
}

Result<bool> equal_secret(Bytes a, Bytes b) {
  WALPIPE_ASSIGN_OR_RETURN(const LibCrypto* c, libcrypto());
  return a.size() == b.size() && c->crypto_memcmp(a.data(), b.data(), a.size()) == 0;
}

void ChaCha20Poly1305::Free::operator()(evp_cipher_ctx_st* context) const {
  crypto->cipher_ctx_free(context);
}

ChaCha20Poly1305::ChaCha20Poly1305(std::span<const std::byte, kAeadKeySize> key) {
  Result<const LibCrypto*> loaded = libcrypto();
  if (!loaded.is_ok()) return;  // init() reports it
  crypto_ = *loaded;
  context_ = std::unique_ptr<evp_cipher_ctx_st, Free>(crypto_->cipher_ctx_new(), Free{crypto_});
  // The key is set once; each message then only sets its nonce. A failure here leaves the
  // instance unkeyed and every seal/open reports it.
  keyed_ = context_ && crypto_->cipher_init(context_.get(), crypto_->chacha20_poly1305(), nullptr,
                                            uc(key.data()), nullptr, 1) == 1;
  if (!keyed_) crypto_->err_clear_error();
}

Status ChaCha20Poly1305::init(std::span<const std::byte, kAeadNonceSize> nonce, int encrypt) {
  if (crypto_ == nullptr) return std::move(libcrypto()).take_status();
  if (!keyed_ || crypto_->cipher_init(context_.get(), nullptr, nullptr, nullptr, uc(nonce.data()),
                                      encrypt) != 1)
    return openssl_failed(crypto_, "start ChaCha20-Poly1305");
  return Status::ok();
}

Status ChaCha20Poly1305::seal(std::span<const std::byte, kAeadNonceSize> nonce, Bytes plain,
                              std::span<std::byte> out) {
  WALPIPE_CHECK(out.size() == plain.size() + kAeadTagSize);
  WALPIPE_TRY(init(nonce, 1));
  const LibCrypto* c = crypto_;
  int written = 0, final_written = 0;
  if ((!plain.empty() && c->cipher_update(context_.get(), uc(out.data()), &written,
                                          uc(plain.data()), static_cast<int>(plain.size())) != 1) ||
      c->cipher_final(context_.get(), uc(out.data()) + written, &final_written) != 1 ||
      static_cast<size_t>(written + final_written) != plain.size() ||
      c->cipher_ctx_ctrl(context_.get(), EVP_CTRL_AEAD_GET_TAG, kAeadTagSize,
                         uc(out.data()) + plain.size()) != 1)
    return openssl_failed(c, "encrypt with ChaCha20-Poly1305");
  return Status::ok();
}

Result<bool> ChaCha20Poly1305::unseal(std::span<const std::byte, kAeadNonceSize> nonce,
                                      Bytes sealed, std::span<std::byte> out) {
  WALPIPE_CHECK(sealed.size() >= kAeadTagSize);
  WALPIPE_CHECK(out.size() == sealed.size() - kAeadTagSize);
  WALPIPE_TRY(init(nonce, 0));
  const LibCrypto* c = crypto_;
  const size_t size = out.size();
  std::array<std::byte, kAeadTagSize> tag;
  std::copy_n(sealed.data() + size, kAeadTagSize, tag.data());
  int written = 0, final_written = 0;
  if (c->cipher_ctx_ctrl(context_.get(), EVP_CTRL_AEAD_SET_TAG, kAeadTagSize, uc(tag.data())) != 1)
    return openssl_failed(c, "decrypt with ChaCha20-Poly1305");
  // Only the tag check fails on bad data; whatever else fails is read as damage too, which is
  // the safe side (the bytes are not released).
  const bool ok = (size == 0 || c->cipher_update(context_.get(), uc(out.data()), &written,
                                                 uc(sealed.data()), static_cast<int>(size)) == 1) &&
                  c->cipher_final(context_.get(), uc(out.data()) + written, &final_written) == 1 &&
                  static_cast<size_t>(written + final_written) == size;
  if (!ok) c->err_clear_error();
  return ok;
}

}  // namespace walpipe::crypt
