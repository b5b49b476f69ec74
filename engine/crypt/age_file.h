// Whole age v1 files: what Debian 12's `age -d -i KEY` reads and `age -r age1…` writes. Only
// X25519 recipients are written (age 1.1.1 knows no newer type); any stanza type is read past.
//
// encrypt() and decrypt() do everything in one thread. A caller that wants to spread a large
// object over a worker pool uses the steps instead: begin_encrypt()/open_header() once, then
// seal_chunks()/open_chunks() (age_stream.h) on disjoint ranges of chunks, one call per worker.
//
// Errors: kCorruption when the file is damaged, truncated, reordered or re-headered (the message
// says where); kMismatch when the file is sound but no identity given opens it (the message says
// how many X25519 stanzas there were and which identity files were tried); kUnsupported for
// another age format version; kInvalidArgument for no recipients; kIoError when OpenSSL fails.
// No message holds a key, a share or a file key.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypt/age_header.h"
#include "crypt/age_stream.h"
#include "crypt/keys.h"

namespace walpipe::crypt {

// What the sender needs before the chunks: the header and payload nonce, and the payload key.
struct Sealing {
  std::vector<std::byte> prefix;  // the header, then the 16-byte payload nonce
  PayloadKey key;
};

// A fresh file key wrapped for each of `recipients` (at least one), a fresh nonce, and the key
// for the chunks. The file is `prefix` followed by sealed_size(plaintext size) bytes of chunks.
// `extra` stanzas (of other types than X25519, which age readers pass by) follow the X25519
// ones in the header.
Result<Sealing> begin_encrypt(std::span<const Recipient> recipients,
                              std::span<const Stanza> extra = {});

// The stanza begin_encrypt_aligned() pads a header with: "-> walpipe-padding AAA…" and an empty
// body, kPaddingStanzaOverhead bytes besides its run of "A". age readers pass it by like any
// stanza of a type they do not know; the header MAC covers it like the others.
inline constexpr std::string_view kPaddingStanzaType = "walpipe-padding";
inline constexpr size_t kPaddingStanzaOverhead = 3 + kPaddingStanzaType.size() + 1 + 1 + 1;

// begin_encrypt() for a file whose size, once the chunks of a plaintext of `plain_size` bytes
// follow the prefix, is a multiple of `alignment`: a padding stanza makes up the difference
// (between kPaddingStanzaOverhead + 1 and alignment + kPaddingStanzaOverhead bytes), so that a
// store writing with O_DIRECT can write the file as it is.
Result<Sealing> begin_encrypt_aligned(std::span<const Recipient> recipients,
                                      std::span<const Stanza> extra, size_t plain_size,
                                      size_t alignment);

// The age file of `plain` for `recipients`.
Result<std::vector<std::byte>> encrypt(Bytes plain, std::span<const Recipient> recipients);

// The file key in `header` for the first of `identities` that opens one of its X25519 stanzas
// (other stanza types are skipped). kCorruption for a malformed X25519 stanza, kMismatch when
// none opens.
Result<FileKey> unwrap_file_key(const Header& header, std::span<const Identity> identities);

// kCorruption unless `file` holds at least a payload nonce after `header`; the nonce otherwise.
Result<PayloadNonce> read_payload_nonce(Bytes file, const Header& header);

// What the receiver knows once the header is checked.
struct Opening {
  PayloadKey key;
  size_t sealed_offset = 0;  // where the chunks start in the file
  size_t plain_size = 0;     // the plaintext's size, from the chunks' total size
};

// Parses and authenticates the header of `file` with `identities`, in the specification's
// order: header form, file key, header MAC, payload nonce, then the chunks' layout.
Result<Opening> open_header(Bytes file, std::span<const Identity> identities);

// open_header() from `prefix`, the first bytes of a file of `file_size` bytes (at least the
// header and the payload nonce); with no `file_size` (only the start of a longer file was
// read), the Opening's plain_size is 0.
Result<Opening> open_header_of(Bytes prefix, std::optional<size_t> file_size,
                               std::span<const Identity> identities);

// The plaintext of age file `file`.
Result<std::vector<std::byte>> decrypt(Bytes file, std::span<const Identity> identities);

}  // namespace walpipe::crypt
