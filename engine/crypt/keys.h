// age X25519 keys and the two key files an operator handles:
//
// - a recipients file, as `age -R FILE` reads it: one "age1…" public key per line; lines that
//   start with "#" and empty lines are skipped; a trailing "\r" is dropped. Anything else is
//   refused with the file and line number (never the line's text: it may be a secret key pasted
//   into the wrong file).
// - an identity file, as `age-keygen -o FILE` writes it: "#" comments ("# created: …",
//   "# public key: age1…") and "AGE-SECRET-KEY-1…" lines, with the same rules. It must not be
//   accessible by group or others; the caller's io layer reads the file and its mode, and these
//   functions judge the text and the mode without touching the file.
//
// Pure functions; the only state is OpenSSL's (for deriving and generating keys).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypt/primitives.h"

namespace walpipe::crypt {

inline constexpr std::string_view kRecipientHrp = "age";
inline constexpr std::string_view kIdentityHrp = "age-secret-key-";
inline constexpr size_t kMaxKeyFileBytes = size_t{1} << 20;

struct Recipient {
  PublicKey key{};
  bool operator==(const Recipient&) const = default;
};

struct Identity {
  SecretKey secret;
  std::string source;  // where it came from, for messages: an identity file's name
};

// X25519(secret, basepoint) of `identity`: derived when an object is opened, not when the
// identity is parsed. A get served from the prefetch spool opens none, and OpenSSL's first use
// in a process costs milliseconds (crypt/warm_up.h).
Result<Recipient> recipient_of(const Identity& identity);

// "age1…" (lower case) for `recipient`.
std::string format_recipient(const Recipient& recipient);

// The recipient in `text`, an "age1…" string. kInvalidArgument saying why it is not one.
Result<Recipient> parse_recipient(std::string_view text);

// "AGE-SECRET-KEY-1…" (upper case) for `identity`. The result is a secret.
std::string format_identity(const Identity& identity);

// The identity in `text`, an "AGE-SECRET-KEY-1…" string, with `source` recorded. kInvalidArgument
// saying why it is not one (never quoting it).
Result<Identity> parse_identity(std::string_view text, std::string source);

// A new identity from the CSPRNG (kIoError when OpenSSL cannot provide one).
Result<Identity> generate_identity(std::string source);

// The recipients in the text of recipients file `file_name`, in file order, or kInvalidArgument
// naming the file and the first bad line, with a HINT. At least one recipient is required.
Result<std::vector<Recipient>> parse_recipients_file(Bytes text, const std::string& file_name);

// The identities in the text of identity file `file_name`, each with `source` = `file_name`, or
// kInvalidArgument naming the file and the first bad line. At least one identity is required.
Result<std::vector<Identity>> parse_identity_file(Bytes text, const std::string& file_name);

// kInvalidArgument when permission bits `mode` (st_mode) let group or others read, write or run
// identity file `file_name`, as ssh refuses an unprotected private key; ok otherwise.
Status check_identity_file_mode(unsigned mode, const std::string& file_name);

}  // namespace walpipe::crypt
