#include "archive/sealing.h"

#include <cstring>

#include "crypt/base64.h"
#include "crypt/primitives.h"

namespace walpipe::archive {

namespace {

// HMAC input for the key's id: no fingerprint (16 bytes) has this length, so an id is never a
// keyed fingerprint.
constexpr std::string_view kKeyIdInput = "walpipe fingerprint key id v1";
constexpr size_t kKeyIdBytes = 8;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hex_of(Bytes bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::byte b : bytes) {
    out += kDigits[static_cast<unsigned>(b) >> 4];
    out += kDigits[static_cast<unsigned>(b) & 15];
  }
  return out;
}

// XXH3's canonical order, high half first, as Fingerprint::hex() prints it.
std::array<std::byte, 16> canonical(const Fingerprint& f) {
  std::array<std::byte, 16> out;
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<std::byte>(f.high >> (56 - 8 * i));
    out[8 + i] = static_cast<std::byte>(f.low >> (56 - 8 * i));
  }
  return out;
}

Fingerprint from_canonical(Bytes bytes) {
  Fingerprint f;
  for (int i = 0; i < 8; ++i) {
    f.high = (f.high << 8) | static_cast<uint64_t>(bytes[i]);
    f.low = (f.low << 8) | static_cast<uint64_t>(bytes[8 + i]);
  }
  return f;
}

}  // namespace

Result<FingerprintKey> parse_fingerprint_key(Bytes bytes, const std::string& file_name) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  FingerprintKey out;
  bool hex = text.size() == 2 * out.key.bytes.size();
  for (size_t i = 0; hex && i < out.key.bytes.size(); ++i) {
    const int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    hex = hi >= 0 && lo >= 0;
    if (hex) out.key.bytes[i] = static_cast<std::byte>(hi * 16 + lo);
  }
  if (!hex)
    return Status(Code::kInvalidArgument,
                  "fingerprint key file \"" + file_name + "\" does not hold 64 hex digits")
        .with_hint("Make one with: openssl rand -hex 32 > FILE; chmod 600 FILE");
  out.source = file_name;
  return out;
}

Result<std::string> key_id(const FingerprintKey& key) {
  WALPIPE_ASSIGN_OR_RETURN(
      auto id, crypt::hmac_sha256(key.key.bytes, std::as_bytes(std::span(kKeyIdInput))));
  return hex_of(Bytes(id.data(), kKeyIdBytes));
}

Result<Fingerprint> keyed_fingerprint(const FingerprintKey& key, const Fingerprint& plain) {
  const std::array<std::byte, 16> input = canonical(plain);
  WALPIPE_ASSIGN_OR_RETURN(auto mac, crypt::hmac_sha256(key.key.bytes, input));
  return from_canonical(Bytes(mac.data(), 16));
}

std::vector<crypt::Stanza> walpipe_stanzas(const Fingerprint& keyed,
                                           std::span<const crypt::Recipient> recipients) {
  std::vector<crypt::Stanza> out;
  const std::array<std::byte, 16> bytes = canonical(keyed);
  out.push_back({{std::string(kFingerprintStanza), crypt::base64_encode(bytes)}, {}});
  for (const crypt::Recipient& recipient : recipients)
    out.push_back({{std::string(kRecipientStanza), crypt::format_recipient(recipient)}, {}});
  return out;
}

SealedHeader read_walpipe_stanzas(const crypt::Header& header) {
  SealedHeader out;
  for (const crypt::Stanza& stanza : header.stanzas) {
    if (stanza.args[0] == "X25519") ++out.x25519_stanzas;
    if (stanza.args.size() != 2) continue;
    if (stanza.args[0] == kFingerprintStanza) {
      std::optional<std::vector<std::byte>> bytes = crypt::base64_decode(stanza.args[1]);
      if (bytes && bytes->size() == 16) out.keyed = from_canonical(*bytes);
    } else if (stanza.args[0] == kRecipientStanza &&
               crypt::parse_recipient(stanza.args[1]).is_ok()) {
      out.recipients.push_back(stanza.args[1]);
    }
  }
  return out;
}

std::string recipients_text(const SealedHeader& header) {
  if (header.recipients.empty())
    return std::to_string(header.x25519_stanzas) + " X25519 recipient" +
           (header.x25519_stanzas == 1 ? "" : "s") + " that the object does not name";
  std::string out;
  for (size_t i = 0; i < header.recipients.size(); ++i)
    out += (i ? ", " : "") + header.recipients[i];
  return out;
}

}  // namespace walpipe::archive
