#include "crypt/keys.h"

#include <algorithm>
#include <cstdio>

#include "crypt/bech32.h"

namespace walpipe::crypt {
namespace {

// Lines of `text`, each without its "\n" and a trailing "\r", passed with their 1-based number
// to `visit` until it returns a failed Status.
template <typename Visit>
Status for_each_line(std::string_view text, Visit visit) {
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.starts_with('#')) continue;
    WALPIPE_TRY(visit(line, number));
  }
  return Status::ok();
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return a == ((b >= 'A' && b <= 'Z') ? static_cast<char>(b - 'A' + 'a') : b);
         });
}

std::string_view as_text(Bytes bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Status bad_line(size_t line, const std::string& kind, const std::string& file_name,
                const std::string& reason, const std::string& hint) {
  return Status(Code::kInvalidArgument, "invalid line " + std::to_string(line) + " in " + kind +
                                            " file \"" + file_name + "\": " + reason)
      .with_hint(hint);
}

}  // namespace

std::string format_recipient(const Recipient& recipient) {
  return bech32_encode(kRecipientHrp, recipient.key, false);
}

Result<Recipient> parse_recipient(std::string_view text) {
  WALPIPE_ASSIGN_OR_RETURN(Bech32 decoded, bech32_decode(text));
  if (decoded.hrp != kRecipientHrp)
    return Status(Code::kInvalidArgument, "not an X25519 recipient: it does not start \"age1\"");
  if (decoded.data.size() != kX25519Size)
    return Status(Code::kInvalidArgument, "not an X25519 recipient: it holds " +
                                              std::to_string(decoded.data.size()) +
                                              " bytes, not 32");
  Recipient out;
  std::copy(decoded.data.begin(), decoded.data.end(), out.key.begin());
  return out;
}

std::string format_identity(const Identity& identity) {
  return bech32_encode(kIdentityHrp, identity.secret.bytes, true);
}

Result<Identity> parse_identity(std::string_view text, std::string source) {
  WALPIPE_ASSIGN_OR_RETURN(Bech32 decoded, bech32_decode(text));
  Identity out;
  out.source = std::move(source);
  // Copied into the wiping Secret first, so every return below leaves no copy behind.
  std::copy_n(decoded.data.begin(), std::min(decoded.data.size(), kX25519Size),
              out.secret.bytes.begin());
  const size_t size = decoded.data.size();
  wipe(decoded.data.data(), size);
  if (decoded.hrp != kIdentityHrp)
    return Status(Code::kInvalidArgument,
                  "not an X25519 identity: it does not start \"AGE-SECRET-KEY-1\"");
  if (size != kX25519Size)
    return Status(Code::kInvalidArgument,
                  "not an X25519 identity: it holds " + std::to_string(size) + " bytes, not 32");
  return out;
}

Result<Recipient> recipient_of(const Identity& identity) {
  WALPIPE_ASSIGN_OR_RETURN(PublicKey public_key, x25519_public(identity.secret));
  return Recipient{public_key};
}

Result<Identity> generate_identity(std::string source) {
  Identity out;
  out.source = std::move(source);
  WALPIPE_TRY(random_bytes(out.secret.bytes));
  return out;
}

Result<std::vector<Recipient>> parse_recipients_file(Bytes text, const std::string& file_name) {
  if (text.size() > kMaxKeyFileBytes)
    return Status(Code::kInvalidArgument,
                  "recipients file \"" + file_name + "\" is larger than 1 MiB");
  std::vector<Recipient> out;
  WALPIPE_TRY(for_each_line(as_text(text), [&](std::string_view line, size_t number) {
    if (starts_with_ignoring_case(line, "age-secret-key-"))
      return bad_line(number, "recipients", file_name, "a secret key, not a recipient",
                      "A recipients file holds public keys (age1…); print an identity's with "
                      "age-keygen -y, and keep the identity off this host.");
    Result<Recipient> recipient = parse_recipient(line);
    if (!recipient.is_ok())
      return bad_line(number, "recipients", file_name, "not an X25519 recipient",
                      "Each line holds one age1… public key as age-keygen prints it; \"#\" "
                      "starts a comment.");
    out.push_back(*recipient);
    return Status::ok();
  }));
  if (out.empty())
    return Status(Code::kInvalidArgument,
                  "recipients file \"" + file_name + "\" holds no recipient")
        .with_hint("Add the age1… public key of each identity that must be able to read.");
  return out;
}

Result<std::vector<Identity>> parse_identity_file(Bytes text, const std::string& file_name) {
  if (text.size() > kMaxKeyFileBytes)
    return Status(Code::kInvalidArgument,
                  "identity file \"" + file_name + "\" is larger than 1 MiB");
  std::vector<Identity> out;
  WALPIPE_TRY(for_each_line(as_text(text), [&](std::string_view line, size_t number) {
    Result<Identity> identity = parse_identity(line, file_name);
    if (!identity.is_ok())
      return bad_line(number, "identity", file_name, "not an X25519 identity",
                      "An identity file holds AGE-SECRET-KEY-1… lines as age-keygen writes "
                      "them; \"#\" starts a comment.");
    out.push_back(std::move(*identity));
    return Status::ok();
  }));
  if (out.empty())
    return Status(Code::kInvalidArgument, "identity file \"" + file_name + "\" holds no identity")
        .with_hint("Make one with age-keygen -o FILE.");
  return out;
}

Status check_identity_file_mode(unsigned mode, const std::string& file_name) {
  constexpr unsigned kGroupOrOthers = 077;
  if ((mode & kGroupOrOthers) == 0) return Status::ok();
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", mode & 07777);
  return Status(Code::kInvalidArgument, "identity file \"" + file_name +
                                            "\" is accessible by other users (mode " + octal + ")")
      .with_hint("An identity is a secret key: chmod 600 \"" + file_name + "\".");
}

}  // namespace walpipe::crypt
