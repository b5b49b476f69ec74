// The header of an age v1 file (C2SP age specification, "Header"):
//
//   age-encryption.org/v1
//   -> X25519 <ephemeral share, base64>         a stanza: "-> " and space-separated arguments,
//   <body, base64, 64 columns per line>          then its body wrapped at 64 columns, ending
//   <last body line, shorter than 64, maybe "">  with a line shorter than 64 (perhaps empty)
//   --- <HMAC-SHA-256, base64>                   over every byte up to and including "---"
//
// Base64 is unpadded and must be canonical; lines end in "\n" only. The parser keeps every
// stanza, known or not, for the identities to choose from. Its errors are kCorruption (or
// kUnsupported for another version of the format) and say which header line is wrong, never
// quoting it. The header is bounded: at most kMaxHeaderBytes and kMaxStanzas.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypt/primitives.h"

namespace walpipe::crypt {

inline constexpr std::string_view kAgeVersionLine = "age-encryption.org/v1";
inline constexpr size_t kMaxHeaderBytes = size_t{1} << 20;
inline constexpr size_t kMaxStanzas = 4096;
inline constexpr size_t kFileKeySize = 16;
inline constexpr size_t kBodyColumns = 64;

using FileKey = Secret<kFileKeySize>;

struct Stanza {
  std::vector<std::string> args;  // at least one; args[0] is the stanza's type ("X25519")
  std::vector<std::byte> body;
};

struct Header {
  std::vector<Stanza> stanzas;  // at least one, in file order
  std::array<std::byte, kHmacSize> mac{};
  size_t mac_input_size = 0;  // bytes from the start of the file through "---"
  size_t size = 0;            // bytes through the MAC line's "\n": where the payload starts
};

// The header at the start of `file` (the whole file or at least its header). Checks form only;
// the MAC needs the file key (verify_header_mac).
Result<Header> parse_header(Bytes file);

// kCorruption when the MAC in `header`, parsed from `file`, is not the one `file_key` gives.
Status verify_header_mac(Bytes file, const Header& header, const FileKey& file_key);

// A complete header (version line, `stanzas`, MAC line) for `file_key`. Every argument must be
// non-empty printable ASCII without spaces, as the format requires.
Result<std::vector<std::byte>> encode_header(std::span<const Stanza> stanzas,
                                             const FileKey& file_key);

}  // namespace walpipe::crypt
