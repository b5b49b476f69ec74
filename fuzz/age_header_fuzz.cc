// The age header parser (engine/crypt/age_header.h) over arbitrary bytes. Beyond not crashing:
// a parsed header lies within the input and its limits, every stanza has a type and printable
// arguments, a second parse agrees, and re-encoding the parsed stanzas gives the same bytes up to
// the MAC (the parser accepts only canonical headers). An error is kCorruption or kUnsupported.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/check.h"
#include "crypt/age_header.h"

using namespace walpipe;
using namespace walpipe::crypt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes input(reinterpret_cast<const std::byte*>(data), size);
  Result<Header> header = parse_header(input);
  Result<Header> again = parse_header(input);
  WALPIPE_CHECK(header.is_ok() == again.is_ok());
  if (!header.is_ok()) {
    const Code code = header.status().code();
    WALPIPE_CHECK(code == Code::kCorruption || code == Code::kUnsupported);
    WALPIPE_CHECK(header.status().message() == again.status().message());
    return 0;
  }
  WALPIPE_CHECK(header->size <= size && header->size <= kMaxHeaderBytes);
  WALPIPE_CHECK(header->mac_input_size + 1 + 43 + 1 == header->size);
  WALPIPE_CHECK(!header->stanzas.empty() && header->stanzas.size() <= kMaxStanzas);
  WALPIPE_CHECK(header->stanzas.size() == again->stanzas.size());
  for (const Stanza& stanza : header->stanzas) {
    WALPIPE_CHECK(!stanza.args.empty());
    for (const std::string& arg : stanza.args)
      for (char c : arg) WALPIPE_CHECK(c > ' ' && c < 0x7f);
  }
  // Any file key: only the bytes before the MAC are compared.
  FileKey key;
  Result<std::vector<std::byte>> encoded = encode_header(header->stanzas, key);
  WALPIPE_CHECK(encoded.is_ok() && encoded->size() == header->size);
  for (size_t i = 0; i < header->mac_input_size; ++i)
    WALPIPE_CHECK((*encoded)[i] == input[i]);
  return 0;
}
