// Bech32 (BIP 173, not Bech32m) as age uses it for keys: "age1…" recipients in lower case and
// "AGE-SECRET-KEY-1…" identities in upper case. Unlike BIP 173 the data part has no 90-character
// limit (age's post-quantum keys are longer); walpipe still bounds the whole string.
//
// Decoding errors say what is wrong, never the text itself: the text may be a secret key.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace walpipe::crypt {

inline constexpr size_t kMaxBech32Length = 4096;

struct Bech32 {
  std::string hrp;               // human-readable part, lower case
  std::vector<std::byte> data;   // the 8-bit payload
};

// The Bech32 string of `data` under `hrp` (lower-case ASCII 33-126, no "1" needed), in upper
// case when `upper`.
std::string bech32_encode(std::string_view hrp, Bytes data, bool upper);

// Decodes an all-lower or all-upper case Bech32 string. kInvalidArgument when the string is
// empty, too long, of mixed case, has no separator, an empty human-readable part, a character
// outside the Bech32 alphabet, a bad checksum or non-zero padding bits.
Result<Bech32> bech32_decode(std::string_view text);

}  // namespace walpipe::crypt
