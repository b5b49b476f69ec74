#include "support/objects.h"

#include <cstring>

#include "codec/fingerprint.h"

namespace walpipe::testing {

io::AlignedBuffer assemble_object(archive::ObjectMetadata* meta, const std::vector<Bytes>& frames) {
  const size_t head = archive::data_offset(frames.size(), meta->format_version);
  size_t end = head;
  for (Bytes f : frames) end += f.size();
  io::AlignedBuffer out(end + 2 * archive::kObjectAlignment);
  size_t pos = head;
  for (Bytes f : frames) {
    std::memcpy(out.data() + pos, f.data(), f.size());
    pos += f.size();
  }
  const size_t total = archive::write_padding(out.span(), end);
  if (meta->format_version >= 3)
    meta->stored_fingerprint = fingerprint_of(Bytes(out.data() + head, total - head));
  archive::write_metadata_block(*meta, out.span().first(head));
  out.resize(total);
  return out;
}

}  // namespace walpipe::testing
