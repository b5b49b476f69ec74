// What an encrypted archive (encrypted_store.h) needs besides the age library: the keys a
// command was given, the keyed fingerprint that lets a push host recognise its own objects
// without being able to read them, and the stanzas walpipe adds to an object's age header.
//
// An object's age header holds, besides one X25519 stanza per recipient:
//   -> walpipe-fingerprint <HMAC-SHA-256(fingerprint key, XXH3-128 of the WAL), first 16 bytes>
//   -> walpipe-recipient <age1… of each recipient, one stanza each>
//   -> walpipe-padding <a run of "A" that makes the file's size a multiple of 4096>
// all with empty bodies. age 1.1.1 reads past stanza types it does not know, so `age -d` opens
// such a file; the header MAC covers them, so changing them is caught like any re-headering.
// docs/design.md ("Encryption at rest") says what the keyed fingerprint reveals.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "crypt/age_header.h"
#include "crypt/keys.h"

namespace walpipe::archive {

inline constexpr std::string_view kFingerprintStanza = "walpipe-fingerprint";
inline constexpr std::string_view kRecipientStanza = "walpipe-recipient";

// The secret push hosts share so that a retried push compares what it would write with what is
// archived: 32 bytes, kept in a file as 64 hex digits (`openssl rand -hex 32`).
struct FingerprintKey {
  crypt::Secret<32> key;
  std::string source;  // the file it came from, for messages and the look-ahead's receipts
};

// 16 hex digits that name `key` in walpipe.json, never the key itself. Computed when asked (it
// loads libcrypto): PostgreSQL's call confirmed by a look-ahead's receipt never needs it.
Result<std::string> key_id(const FingerprintKey& key);

// The keys one command was given. Push hosts hold recipients and the fingerprint key only;
// hosts that read hold identities.
struct SealingKeys {
  std::vector<crypt::Recipient> recipients;
  std::vector<crypt::Identity> identities;
  std::vector<std::string> identity_files;  // every identity file given, in order
  std::optional<FingerprintKey> fingerprint_key;
};

// The key in the text of fingerprint key file `file_name`: 64 hex digits, then perhaps a line
// end. kInvalidArgument naming the file, never quoting it.
Result<FingerprintKey> parse_fingerprint_key(Bytes text, const std::string& file_name);

// What a fingerprint key makes of the XXH3-128 `plain`. kIoError only when OpenSSL fails.
Result<Fingerprint> keyed_fingerprint(const FingerprintKey& key, const Fingerprint& plain);

// The stanzas above for an object whose keyed fingerprint is `keyed`.
std::vector<crypt::Stanza> walpipe_stanzas(const Fingerprint& keyed,
                                           std::span<const crypt::Recipient> recipients);

// What walpipe's stanzas of a parsed header say (nothing when another tool wrote the file).
struct SealedHeader {
  std::optional<Fingerprint> keyed;
  std::vector<std::string> recipients;  // "age1…", as the stanzas name them
  size_t x25519_stanzas = 0;
};
SealedHeader read_walpipe_stanzas(const crypt::Header& header);

// "age1a…, age1b…" or "2 recipients that the object does not name": whom an object was
// encrypted to, for messages.
std::string recipients_text(const SealedHeader& header);

}  // namespace walpipe::archive
