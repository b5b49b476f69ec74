#include "crypt/age_file.h"

#include <algorithm>
#include <string>

#include "crypt/x25519_stanza.h"

namespace walpipe::crypt {
namespace {

// "identity file "a"" or "identity files "a", "b"": where the tried identities came from, each
// file named once. Sources are file names, never keys.
std::string identity_sources(std::span<const Identity> identities) {
  std::vector<std::string> files;
  for (const Identity& identity : identities)
    if (std::find(files.begin(), files.end(), identity.source) == files.end())
      files.push_back(identity.source);
  std::string out = files.size() == 1 ? "identity file " : "identity files ";
  for (size_t i = 0; i < files.size(); ++i) out += (i ? ", \"" : "\"") + files[i] + "\"";
  return out;
}

// The distinct stanza types in `header`, at most four, each cut to 32 characters: a hostile
// header must not make the message long.
std::string stanza_types(const Header& header) {
  std::vector<std::string> types;
  for (const Stanza& stanza : header.stanzas) {
    std::string type = stanza.args[0].substr(0, 32);
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
  }
  std::string out;
  for (size_t i = 0; i < types.size() && i < 4; ++i) out += (i ? ", " : "") + types[i];
  if (types.size() > 4) out += ", …";
  return out;
}

}  // namespace

Result<Sealing> begin_encrypt(std::span<const Recipient> recipients,
                              std::span<const Stanza> extra) {
  return begin_encrypt_aligned(recipients, extra, 0, 1);
}

Result<Sealing> begin_encrypt_aligned(std::span<const Recipient> recipients,
                                      std::span<const Stanza> extra, size_t plain_size,
                                      size_t alignment) {
  WALPIPE_CHECK(alignment > 0);
  if (recipients.empty())
    return Status(Code::kInvalidArgument, "cannot encrypt without a recipient");
  FileKey file_key;
  WALPIPE_TRY(random_bytes(file_key.bytes));
  std::vector<Stanza> stanzas;
  for (const Recipient& recipient : recipients) {
    WALPIPE_ASSIGN_OR_RETURN(Stanza stanza, wrap_x25519(file_key, recipient));
    stanzas.push_back(std::move(stanza));
  }
  stanzas.insert(stanzas.end(), extra.begin(), extra.end());
  Result<std::vector<std::byte>> header = encode_header(stanzas, file_key);
  if (!header.is_ok()) return std::move(header).take_status();
  const size_t unpadded = header->size() + kPayloadNonceSize + sealed_size(plain_size);
  if (unpadded % alignment != 0) {
    size_t fill = alignment - unpadded % alignment;
    while (fill < kPaddingStanzaOverhead + 1) fill += alignment;
    stanzas.push_back(
        {{std::string(kPaddingStanzaType), std::string(fill - kPaddingStanzaOverhead, 'A')}, {}});
    header = encode_header(stanzas, file_key);
    if (!header.is_ok()) return std::move(header).take_status();
    WALPIPE_CHECK((header->size() + kPayloadNonceSize + sealed_size(plain_size)) % alignment == 0);
  }
  PayloadNonce nonce;
  WALPIPE_TRY(random_bytes(nonce));
  Result<PayloadKey> key = derive_payload_key(file_key, nonce);
  if (!key.is_ok()) return std::move(key).take_status();
  Sealing out;
  out.prefix = std::move(*header);
  out.prefix.insert(out.prefix.end(), nonce.begin(), nonce.end());
  out.key = *key;
  return out;
}

Result<std::vector<std::byte>> encrypt(Bytes plain, std::span<const Recipient> recipients) {
  WALPIPE_ASSIGN_OR_RETURN(Sealing sealing, begin_encrypt(recipients));
  std::vector<std::byte> out = std::move(sealing.prefix);
  const size_t prefix = out.size();
  out.resize(prefix + sealed_size(plain.size()));
  WALPIPE_TRY(seal_chunks(sealing.key, plain, std::span(out).subspan(prefix), 0,
                          chunk_count(plain.size())));
  return out;
}

Result<FileKey> unwrap_file_key(const Header& header, std::span<const Identity> identities) {
  WALPIPE_CHECK(!identities.empty());
  size_t x25519_stanzas = 0;
  for (const Stanza& stanza : header.stanzas) {
    if (stanza.args[0] != kX25519StanzaType) continue;
    ++x25519_stanzas;
    for (const Identity& identity : identities) {
      WALPIPE_ASSIGN_OR_RETURN(std::optional<FileKey> opened, unwrap_x25519(stanza, identity));
      if (opened.has_value()) return *opened;
    }
  }
  if (x25519_stanzas == 0)
    return Status(Code::kMismatch, "no X25519 stanza in the age header: it holds only " +
                                       stanza_types(header) + " stanzas")
        .with_hint("walpipe opens files encrypted to X25519 recipients (age1…) only.");
  return Status(Code::kMismatch, "none of the " + std::to_string(x25519_stanzas) +
                                     " X25519 stanzas opens with " + identity_sources(identities))
      .with_hint(
          "The file was encrypted to other recipients: give the identity whose age1… "
          "recipient was configured when it was written.");
}

Result<PayloadNonce> read_payload_nonce(Bytes file, const Header& header) {
  WALPIPE_CHECK(header.size <= file.size());
  if (file.size() - header.size < kPayloadNonceSize)
    return Status(Code::kCorruption, "age file is truncated: it ends inside the payload nonce");
  PayloadNonce nonce;
  std::copy_n(file.data() + header.size, kPayloadNonceSize, nonce.begin());
  return nonce;
}

Result<Opening> open_header(Bytes file, std::span<const Identity> identities) {
  return open_header_of(file, file.size(), identities);
}

Result<Opening> open_header_of(Bytes file, std::optional<size_t> file_size,
                               std::span<const Identity> identities) {
  WALPIPE_CHECK(!file_size || file.size() <= *file_size);
  WALPIPE_ASSIGN_OR_RETURN(Header header, parse_header(file));
  WALPIPE_ASSIGN_OR_RETURN(FileKey file_key, unwrap_file_key(header, identities));
  WALPIPE_TRY(verify_header_mac(file, header, file_key));
  WALPIPE_ASSIGN_OR_RETURN(PayloadNonce nonce, read_payload_nonce(file, header));
  Result<PayloadKey> key = derive_payload_key(file_key, nonce);
  if (!key.is_ok()) return std::move(key).take_status();
  Opening out;
  out.key = *key;
  out.sealed_offset = header.size + kPayloadNonceSize;
  if (!file_size) return out;
  Result<size_t> plain_size = opened_size(*file_size - out.sealed_offset);
  if (!plain_size.is_ok()) return std::move(plain_size).take_status();
  out.plain_size = *plain_size;
  return out;
}

Result<std::vector<std::byte>> decrypt(Bytes file, std::span<const Identity> identities) {
  WALPIPE_ASSIGN_OR_RETURN(Opening opening, open_header(file, identities));
  std::vector<std::byte> out(opening.plain_size);
  WALPIPE_TRY(open_chunks(opening.key, file.subspan(opening.sealed_offset), out, 0,
                          chunk_count(out.size())));
  return out;
}

}  // namespace walpipe::crypt
