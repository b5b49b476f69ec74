#include "support/objects.h"

#include <cstring>

namespace walpipe::testing {

io::AlignedBuffer assemble_object(const archive::ObjectMetadata& meta,
                                  const std::vector<Bytes>& frames) {
  const size_t head = archive::data_offset(frames.size());
  size_t end = head;
  for (Bytes f : frames) end += f.size();
  io::AlignedBuffer out(end + 2 * archive::kObjectAlignment);
  size_t pos = head;
  for (Bytes f : frames) {
    std::memcpy(out.data() + pos, f.data(), f.size());
    pos += f.size();
  }
  archive::write_metadata_block(meta, out.span().first(head));
  out.resize(archive::write_padding(out.span(), end));
  return out;
}

}  // namespace walpipe::testing
