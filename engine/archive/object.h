// The archive object: a standard .zst file (`zstd -d` gives back the segment) laid out as
//   [skippable metadata frame][data frame]...[data frame][skippable padding frame]
// so that one segment compresses and decompresses on every core and every write is a multiple
// of 4096 bytes. The byte-level format is in FORMAT.md beside this file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "wal/report.h"

namespace walpipe::archive {

inline constexpr uint32_t kObjectFormatVersion = 1;
inline constexpr uint32_t kObjectAlignment = 4096;
inline constexpr uint32_t kMetadataMagicNibble = 0x7;  // frame magic 0x184D2A57
inline constexpr uint32_t kPaddingMagicNibble = 0xF;   // frame magic 0x184D2A5F
inline constexpr uint32_t kMaxDataFrames = 1024;
// Original bytes per data frame: 1–4 MiB, so a frame never needs more memory than that.
inline constexpr uint32_t kMinFrameInputSize = 1u << 20;
inline constexpr uint32_t kMaxFrameInputSize = 4u << 20;
inline constexpr uint32_t kMaxMetadataSize = 64 * 1024;

// Bits of ObjectMetadata::flags. Unknown bits make an object unreadable by this version, so
// later features (encryption) cannot be misread as plain data.
inline constexpr uint32_t kFlagFailedVerification = 1u << 0;  // pushed with --no-verify
inline constexpr uint32_t kKnownFlags = kFlagFailedVerification;

struct ObjectMetadata {
  uint32_t format_version = kObjectFormatVersion;
  uint32_t flags = 0;
  std::string name;  // the WAL file name the object holds
  uint64_t original_size = 0;
  Fingerprint fingerprint;            // XXH3-128 of the original bytes
  uint32_t frame_input_size = 0;      // original bytes per data frame (the last may hold fewer)
  std::vector<uint32_t> frame_sizes;  // compressed size of each data frame

  // What inspection learned (zero for history and backup files).
  uint16_t wal_magic = 0;
  uint64_t system_id = 0;
  uint32_t segment_size = 0;
  uint32_t page_size = 0;
  uint32_t timeline = 0;
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;
  uint64_t end_lsn = 0;
  uint64_t record_count = 0;
  std::optional<int64_t> first_commit_time;
  std::optional<int64_t> last_commit_time;
  bool ends_with_switch = false;
  std::string validation_error;  // first error when pushed with --no-verify; empty when valid

  bool operator==(const ObjectMetadata&) const = default;
};

// Copies what a report says about the segment into the metadata fields it has.
void fill_from_report(const wal::SegmentReport& report, ObjectMetadata* meta);

std::vector<std::byte> encode_metadata(const ObjectMetadata& meta);
Result<ObjectMetadata> decode_metadata(Bytes payload);

// The largest metadata frame, header included: frames compressed this far into a buffer leave
// room to assemble the object in place.
inline constexpr size_t kMaxMetadataFrameSize = 8 + kMaxMetadataSize;  // 8: a skippable header

// Writes the whole object (metadata, `frames` in order, padding) into `out`, which must hold
// object_size() bytes; returns that size, a multiple of kObjectAlignment. The frames may
// already lie in `out`, in order, each no earlier than where it goes (as compress_frames leaves
// them with kMaxMetadataFrameSize of headroom): they are moved down, not copied elsewhere.
size_t object_size(const ObjectMetadata& meta);
size_t assemble_object(const ObjectMetadata& meta, const std::vector<Bytes>& frames,
                       std::span<std::byte> out);

struct ParsedObject {
  ObjectMetadata meta;
  std::vector<Bytes> frames;  // views into the parsed bytes
};

// Parses an object without decompressing: metadata checksum and version, every frame boundary
// against the recorded sizes, padding to the end, nothing else. `what` names it in messages.
Result<ParsedObject> parse_object(Bytes object, const std::string& what);

}  // namespace walpipe::archive
