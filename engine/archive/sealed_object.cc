#include "archive/sealed_object.h"

#include <algorithm>

#include "crypt/age_file.h"
#include "crypt/age_parallel.h"
#include "io/buffer.h"

namespace walpipe::archive {

namespace {

std::string file_list(const std::vector<std::string>& files) {
  std::string out;
  for (size_t i = 0; i < files.size(); ++i) out += (i ? ", \"" : "\"") + files[i] + "\"";
  return out;
}

// Whether one of the identities given is of a recipient the header names: then its X25519
// stanza is there, and not opening it means the header was changed, not that the key is wrong.
bool names_an_identity(const SealedHeader& header, const SealingKeys& keys) {
  for (const crypt::Identity& identity : keys.identities) {
    Result<crypt::Recipient> recipient = crypt::recipient_of(identity);
    if (recipient.is_ok() &&
        std::find(header.recipients.begin(), header.recipients.end(),
                  crypt::format_recipient(*recipient)) != header.recipients.end())
      return true;
  }
  return false;
}

// The header checked and the payload key found, or why not (the codes of the file comment).
Result<crypt::Opening> open_start(Bytes start, std::optional<size_t> file_size,
                                  const SealingKeys& keys, const std::string& where) {
  Result<crypt::Header> header = crypt::parse_header(start);
  if (!header.is_ok()) return Status(Code::kCorruption, header.status().message());
  const SealedHeader ours = read_walpipe_stanzas(*header);
  if (keys.identities.empty())
    return Status(Code::kIoError,
                  "archive object \"" + where + "\" is encrypted, and no identity was given")
        .with_detail("It was encrypted to " + recipients_text(ours) + ".")
        .with_hint(
            "Give the identity file of one of those recipients with --identity FILE, or with "
            "identity in the configuration file.");
  Result<crypt::Opening> opening = crypt::open_header_of(start, file_size, keys.identities);
  if (opening.is_ok() || opening.status().code() != Code::kMismatch) {
    if (!opening.is_ok() && opening.status().code() != Code::kIoError)
      return Status(Code::kCorruption, opening.status().message());
    return opening;
  }
  if (names_an_identity(ours, keys))
    return Status(Code::kCorruption,
                  "its age header names a recipient of an identity given, but no X25519 "
                  "stanza opens with it: the header was changed");
  return Status(Code::kIoError,
                "could not decrypt archive object \"" + where + "\": no identity given opens it")
      .with_detail("It was encrypted to " + recipients_text(ours) +
                   "; identity files tried: " + file_list(keys.identity_files) + ".")
      .with_hint(
          "Give the identity of one of those recipients (age-keygen -y FILE prints the "
          "recipient of an identity file).");
}

}  // namespace

Result<io::LargeBuffer> seal_object(Bytes object, const Fingerprint& keyed, const SealingKeys& keys,
                                    unsigned threads, io::LargeBuffer out) {
  const std::vector<crypt::Stanza> ours = walpipe_stanzas(keyed, keys.recipients);
  // Padded to whole pages, the age file goes to a folder in one O_DIRECT write, as a plain
  // object does, instead of through the page cache.
  WALPIPE_ASSIGN_OR_RETURN(
      crypt::Sealing sealing,
      crypt::begin_encrypt_aligned(keys.recipients, ours, object.size(), io::kDirectAlignment));
  const size_t prefix = sealing.prefix.size();
  out.resize(prefix + crypt::sealed_size(object.size()));
  std::copy(sealing.prefix.begin(), sealing.prefix.end(), out.data());
  WALPIPE_TRY(crypt::seal_parallel(sealing.key, object, out.span().subspan(prefix), threads));
  return out;
}

uint64_t sealed_object_limit(uint64_t plain_size) {
  return kMaxSealedHeaderSize + crypt::kPayloadNonceSize + crypt::sealed_size(plain_size);
}

Result<io::LargeBuffer> open_object(Bytes sealed, const SealingKeys& keys, const std::string& where,
                                    unsigned threads) {
  WALPIPE_ASSIGN_OR_RETURN(crypt::Opening opening, open_start(sealed, sealed.size(), keys, where));
  io::LargeBuffer plain(opening.plain_size);
  Status opened = crypt::open_parallel(opening.key, sealed.subspan(opening.sealed_offset),
                                       plain.span(), threads);
  if (!opened.is_ok()) return Status(Code::kCorruption, opened.message());
  return plain;
}

Result<std::vector<std::byte>> open_object_start(Bytes start, bool complete,
                                                 const SealingKeys& keys,
                                                 const std::string& where) {
  if (complete) {
    WALPIPE_ASSIGN_OR_RETURN(io::LargeBuffer whole, open_object(start, keys, where, 1));
    return std::vector<std::byte>(whole.span().begin(), whole.span().end());
  }
  WALPIPE_ASSIGN_OR_RETURN(crypt::Opening opening, open_start(start, std::nullopt, keys, where));
  const Bytes sealed = start.subspan(opening.sealed_offset);
  std::vector<std::byte> plain(sealed.size() / crypt::kSealedChunkSize * crypt::kChunkSize);
  Result<size_t> opened = crypt::open_leading_chunks(opening.key, sealed, plain);
  if (!opened.is_ok()) return Status(Code::kCorruption, opened.status().message());
  plain.resize(*opened * crypt::kChunkSize);
  return plain;
}

Result<SealedHeader> sealed_header(Bytes start) {
  Result<crypt::Header> header = crypt::parse_header(start);
  if (!header.is_ok()) return Status(Code::kCorruption, header.status().message());
  return read_walpipe_stanzas(*header);
}

}  // namespace walpipe::archive
