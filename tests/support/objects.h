// Whole archive objects built in memory from frames held elsewhere, laid out as push lays them
// out in place: the metadata block, the frames in order, the padding frame.
#pragma once

#include <vector>

#include "archive/object.h"
#include "io/buffer.h"

namespace walpipe::testing {

// Records in `meta` (format 3 on) the XXH3-128 of the stored bytes after the metadata, as push
// does.
io::AlignedBuffer assemble_object(archive::ObjectMetadata* meta, const std::vector<Bytes>& frames);

}  // namespace walpipe::testing
