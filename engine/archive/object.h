// The archive object: a standard .zst file (`zstd -d` gives back the segment) laid out as
//   [skippable metadata frame][data frame]...[data frame][skippable padding frame]
// so that one segment compresses and decompresses on every core and every write is a multiple
// of 4096 bytes. The byte-level format is in docs/object-format.md.
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

// Version 2 pads the metadata frame so the data frames start at a fixed offset
// (docs/object-format.md); version 1 objects are still read.
inline constexpr uint32_t kObjectFormatVersion = 3;
inline constexpr uint32_t kObjectAlignment = 4096;
inline constexpr uint32_t kMetadataMagicNibble = 0x7;  // frame magic 0x184D2A57
inline constexpr uint32_t kPaddingMagicNibble = 0xF;   // frame magic 0x184D2A5F
inline constexpr uint32_t kMaxDataFrames = 1024;
// Original bytes per data frame: 1–4 MiB, so a frame never needs more memory than that.
inline constexpr uint32_t kMinFrameInputSize = 1u << 20;
inline constexpr uint32_t kMaxFrameInputSize = 4u << 20;
inline constexpr uint32_t kMaxMetadataSize = 64 * 1024;
// Longest name and validation error a metadata frame holds: they bound the frame's size.
inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxValidationErrorLength = 1024;

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
  // Format 3 on: XXH3-128 of the object's bytes after its metadata block (the data frames and
  // the padding), so that a change to the stored object is seen even where the WAL it decodes
  // to is the same (a bit of a frame header, of the padding).
  std::optional<Fingerprint> stored_fingerprint;

  bool operator==(const ObjectMetadata&) const = default;
};

// Copies what a report says about the segment into the metadata fields it has.
void fill_from_report(const wal::SegmentReport& report, ObjectMetadata* meta);

// The metadata payload. A version 2 payload shorter than `payload_size` is filled with zero
// bytes up to it (the filler is part of the payload and of its checksum).
std::vector<std::byte> encode_metadata(const ObjectMetadata& meta, size_t payload_size = 0);
Result<ObjectMetadata> decode_metadata(Bytes payload);
// The metadata of the object whose first bytes `start` hold its whole metadata frame (a bucket's
// or an encrypted object's head): kCorruption naming `where` when that frame is not walpipe's or
// its payload does not decode.
Result<ObjectMetadata> decode_metadata_frame(Bytes start, const std::string& where);

// Where the data frames of an object with `frame_count` frames begin: the metadata frame is
// padded to there whatever it ends up holding (the longest name and validation error), so the
// frames can be written while the metadata is not yet known. A multiple of kObjectAlignment.
size_t data_offset(size_t frame_count, uint32_t format_version = kObjectFormatVersion);

// The metadata frame, padded to fill `block`, which is data_offset(frame count) bytes.
void write_metadata_block(const ObjectMetadata& meta, std::span<std::byte> block);

// Ends the object whose last data frame ends at `frames_end` of `buffer` with the padding
// frame; returns the object's size, a multiple of kObjectAlignment. `buffer` must reach it
// (at most frames_end + 8 + kObjectAlignment).
size_t write_padding(std::span<std::byte> buffer, size_t frames_end);

struct ParsedObject {
  ObjectMetadata meta;
  std::vector<Bytes> frames;  // views into the parsed bytes
  // Why the stored bytes are not those that were written, where the frames still parse: the
  // WAL may be intact all the same (the caller checks it), but the copy has rotted. Empty when
  // nothing shows it.
  std::string damage;
};

// Parses an object without decompressing: metadata checksum and version, every frame boundary
// against the recorded sizes, padding to the end, and the stored bytes against their recorded
// XXH3-128 (format 3) or the padding against the zeros it holds (older objects), which set
// `damage`. `what` names it in messages.
Result<ParsedObject> parse_object(Bytes object, const std::string& what);

}  // namespace walpipe::archive
