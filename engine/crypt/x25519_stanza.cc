#include "crypt/x25519_stanza.h"

#include <algorithm>

#include "crypt/base64.h"

namespace walpipe::crypt {
namespace {

constexpr std::string_view kInfo = "age-encryption.org/v1/X25519";
constexpr std::array<std::byte, kAeadNonceSize> kZeroNonce{};
constexpr size_t kBodySize = kFileKeySize + kAeadTagSize;

Result<Secret<32>> wrap_key(const Secret<kX25519Size>& shared, const PublicKey& share,
                            const PublicKey& recipient) {
  std::array<std::byte, 2 * kX25519Size> salt;
  std::copy(share.begin(), share.end(), salt.begin());
  std::copy(recipient.begin(), recipient.end(), salt.begin() + kX25519Size);
  return hkdf_sha256(shared.bytes, salt, kInfo);
}

Status malformed(const std::string& why) {
  return Status(Code::kCorruption, "invalid X25519 stanza in age header: " + why);
}

}  // namespace

Result<Stanza> wrap_x25519(const FileKey& file_key, const Recipient& recipient) {
  SecretKey ephemeral;
  WALPIPE_TRY(random_bytes(ephemeral.bytes));
  WALPIPE_ASSIGN_OR_RETURN(PublicKey share, x25519_public(ephemeral));
  Result<Secret<kX25519Size>> shared = x25519_shared(ephemeral, recipient.key);
  // A recipient that is a low-order point would send the file key under a key anyone can
  // compute; refusing is the only safe answer.
  if (!shared.is_ok())
    return Status(Code::kInvalidArgument, "recipient is not a usable X25519 public key");
  WALPIPE_ASSIGN_OR_RETURN(Secret<32> key, wrap_key(*shared, share, recipient.key));

  Stanza stanza;
  stanza.args = {std::string(kX25519StanzaType), base64_encode(share)};
  stanza.body.resize(kBodySize);
  ChaCha20Poly1305 aead(key.view());
  WALPIPE_TRY(aead.seal(kZeroNonce, file_key.bytes, stanza.body));
  return stanza;
}

Result<std::optional<FileKey>> unwrap_x25519(const Stanza& stanza, const Identity& identity) {
  WALPIPE_CHECK(!stanza.args.empty() && stanza.args[0] == kX25519StanzaType);
  if (stanza.args.size() != 2)
    return malformed("it has " + std::to_string(stanza.args.size()) + " arguments, not 2");
  std::optional<std::vector<std::byte>> share_bytes = base64_decode(stanza.args[1]);
  if (!share_bytes || share_bytes->size() != kX25519Size)
    return malformed("its share is not canonical base64 of 32 bytes");
  // Checked before any decryption: the body's length must not steer what is tried.
  if (stanza.body.size() != kBodySize)
    return malformed("its body is " + std::to_string(stanza.body.size()) + " bytes, not 32");
  PublicKey share;
  std::copy(share_bytes->begin(), share_bytes->end(), share.begin());

  Result<Secret<kX25519Size>> shared = x25519_shared(identity.secret, share);
  if (!shared.is_ok()) {
    if (shared.status().code() == Code::kCorruption)
      return malformed("its share is a low-order point");
    return std::move(shared).take_status();
  }
  WALPIPE_ASSIGN_OR_RETURN(Recipient mine, recipient_of(identity));
  WALPIPE_ASSIGN_OR_RETURN(Secret<32> key, wrap_key(*shared, share, mine.key));
  ChaCha20Poly1305 aead(key.view());
  FileKey file_key;
  WALPIPE_ASSIGN_OR_RETURN(bool opened, aead.unseal(kZeroNonce, stanza.body, file_key.bytes));
  if (!opened) return std::optional<FileKey>();
  return std::optional<FileKey>(file_key);
}

}  // namespace walpipe::crypt
