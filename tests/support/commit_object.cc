#include "support/commit_object.h"

#include <cstdint>

#include "archive/object.h"

namespace walpipe::testing {

using archive::CommitOutcome;
using archive::ObjectMetadata;

Result<CommitOutcome> commit_object(io::Io& io, const archive::Layout& layout,
                                    const wal::WalFileName& name, Bytes object) {
  WALPIPE_CHECK(object.size() % archive::kObjectAlignment == 0);
  WALPIPE_CHECK(reinterpret_cast<uintptr_t>(object.data()) % archive::kObjectAlignment == 0);
  Result<archive::ParsedObject> parsed = archive::parse_object(object, name.to_string());
  if (!parsed.is_ok()) return std::move(parsed).take_status();
  const ObjectMetadata& meta = parsed->meta;
  Result<CommitOutcome> existing = archive::confirm_existing(io, layout, name, meta.fingerprint);
  if (existing.is_ok()) return existing;
  if (existing.status().code() == Code::kMismatch &&
      !(meta.flags & archive::kFlagFailedVerification)) {
    // Written only to supersede an object stored with --no-verify: commit() decides, locked.
    Result<ObjectMetadata> theirs = archive::read_object_metadata(io, layout.object_path(name));
    // Superseded by this same content between the two reads: archived already.
    if (theirs.is_ok() && theirs->fingerprint == meta.fingerprint)
      return archive::confirm_existing(io, layout, name, meta.fingerprint);
    if (!theirs.is_ok() || !(theirs->flags & archive::kFlagFailedVerification)) return existing;
  } else if (existing.status().code() != Code::kNotFound) {
    return existing;
  }
  Result<archive::ObjectWriter> writer = archive::ObjectWriter::begin(io, layout, name);
  if (!writer.is_ok()) return std::move(writer).take_status();
  return writer->commit(0, object, meta);
}

}  // namespace walpipe::testing
