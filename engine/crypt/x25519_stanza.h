// The X25519 recipient stanza (C2SP age specification, "The X25519 recipient type"):
//
//   -> X25519 <ephemeral share, 32 bytes in base64>
//   <ChaCha20-Poly1305(wrap key, nonce 0, file key): 32 bytes>
//
//   wrap key = HKDF-SHA-256(ikm = X25519(ephemeral secret, recipient),
//                           salt = ephemeral share || recipient,
//                           info = "age-encryption.org/v1/X25519")
//
// A fresh ephemeral secret is drawn for every stanza, so wrapping is safe from any thread.
#pragma once

#include <optional>
#include <string_view>

#include "base/status.h"
#include "crypt/age_header.h"
#include "crypt/keys.h"

namespace walpipe::crypt {

inline constexpr std::string_view kX25519StanzaType = "X25519";

// The stanza that wraps `file_key` for `recipient`. kIoError when OpenSSL fails.
Result<Stanza> wrap_x25519(const FileKey& file_key, const Recipient& recipient);

// The file key in `stanza` (which must have type "X25519") if `identity` opens it; nothing when
// the stanza was made for another recipient. kCorruption when the stanza is malformed: other than
// two arguments, a share that is not canonical base64 of 32 bytes, a body that is not 32 bytes,
// or a share that makes the shared secret all zero. The specification makes these fatal for the
// whole file rather than "not mine", so that a damaged header is not mistaken for a wrong key.
Result<std::optional<FileKey>> unwrap_x25519(const Stanza& stanza, const Identity& identity);

}  // namespace walpipe::crypt
