// The base64 of age headers: RFC 4648 standard alphabet, no "=" padding, and canonical only (the
// unused low bits of the last character are zero), as the age specification requires of readers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"

namespace walpipe::crypt {

// Unpadded standard base64 of `data`.
std::string base64_encode(Bytes data);

// The bytes `text` encodes, or nothing when it holds a character outside the alphabet (padding
// included), has a length of 1 modulo 4, or is not the canonical encoding of its bytes.
std::optional<std::vector<std::byte>> base64_decode(std::string_view text);

// Whether `c` is in the standard base64 alphabet.
bool is_base64_char(char c);

}  // namespace walpipe::crypt
