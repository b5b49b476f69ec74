// BIP 173's checksum is a BCH code over GF(32): polymod() below is its generator polynomial
// applied five bits at a time, computed over the lower-case form whatever case was written.
#include "crypt/bech32.h"

#include <array>
#include <cstdint>

#include "crypt/primitives.h"

namespace walpipe::crypt {
namespace {

constexpr std::string_view kAlphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr size_t kChecksumLength = 6;

uint32_t polymod(const std::vector<uint8_t>& values) {
  constexpr std::array<uint32_t, 5> kGenerator = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
                                                  0x3d4233dd, 0x2a1462b3};
  uint32_t check = 1;
  for (uint8_t v : values) {
    const uint32_t top = check >> 25;
    check = ((check & 0x1ffffff) << 5) ^ v;
    for (size_t i = 0; i < kGenerator.size(); ++i)
      if ((top >> i) & 1) check ^= kGenerator[i];
  }
  return check;
}

std::vector<uint8_t> expand_hrp(std::string_view hrp) {
  std::vector<uint8_t> out;
  out.reserve(hrp.size() * 2 + 1);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) & 31);
  return out;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

Status invalid(const std::string& why) {
  return Status(Code::kInvalidArgument, "invalid Bech32 string: " + why);
}

}  // namespace

std::string bech32_encode(std::string_view hrp, Bytes data, bool upper_case) {
  std::vector<uint8_t> values;
  values.reserve((data.size() * 8 + 4) / 5);
  uint32_t acc = 0;
  int bits = 0;
  for (std::byte b : data) {
    acc = ((acc << 8) | static_cast<uint8_t>(b)) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back((acc >> bits) & 31);
    }
  }
  if (bits > 0) values.push_back((acc << (5 - bits)) & 31);

  std::vector<uint8_t> check_input = expand_hrp(hrp);
  check_input.insert(check_input.end(), values.begin(), values.end());
  check_input.insert(check_input.end(), kChecksumLength, 0);
  const uint32_t check = polymod(check_input) ^ 1;
  for (size_t i = 0; i < kChecksumLength; ++i)
    values.push_back((check >> (5 * (kChecksumLength - 1 - i))) & 31);

  std::string out(hrp);
  out.push_back('1');
  for (uint8_t v : values) out.push_back(kAlphabet[v]);
  if (upper_case)
    for (char& c : out) c = upper(c);
  return out;
}

Result<Bech32> bech32_decode(std::string_view text) {
  if (text.empty()) return invalid("empty");
  if (text.size() > kMaxBech32Length) return invalid("longer than 4096 characters");
  bool has_lower = false, has_upper = false;
  for (char c : text) {
    if (c < 33 || c > 126) return invalid("character outside printable ASCII");
    has_lower = has_lower || (c >= 'a' && c <= 'z');
    has_upper = has_upper || (c >= 'A' && c <= 'Z');
  }
  if (has_lower && has_upper) return invalid("mixed upper and lower case");

  const size_t separator = text.rfind('1');
  if (separator == std::string_view::npos) return invalid("no \"1\" separator");
  if (separator == 0) return invalid("empty human-readable part");
  if (text.size() - separator - 1 < kChecksumLength) return invalid("too short for a checksum");

  Bech32 out;
  for (char c : text.substr(0, separator)) out.hrp.push_back(lower(c));
  std::vector<uint8_t> values = expand_hrp(out.hrp);
  const size_t data_start = values.size();
  for (char c : text.substr(separator + 1)) {
    const size_t v = kAlphabet.find(lower(c));
    if (v == std::string_view::npos) return invalid("character outside the Bech32 alphabet");
    values.push_back(static_cast<uint8_t>(v));
  }
  if (polymod(values) != 1) return invalid("checksum does not match");

  // Regroup the five-bit values into bytes; what is left over must be under 5 bits of zeros.
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = data_start; i < values.size() - kChecksumLength; ++i) {
    acc = ((acc << 5) | values[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<std::byte>((acc >> bits) & 0xff));
    }
  }
  // The values are the key itself when the string is an identity.
  wipe(values.data(), values.size());
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return invalid("non-zero padding bits");
  return out;
}

}  // namespace walpipe::crypt
