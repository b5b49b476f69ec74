#include "archive/object.h"

#include <cstring>

#include "codec/crc32c.h"
#include "codec/fingerprint.h"
#include "codec/zstd_frames.h"

namespace walpipe::archive {

namespace {

class Writer {
 public:
  template <typename T>
  void put(T v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    out_.insert(out_.end(), p, p + sizeof v);
  }
  void put_string(const std::string& s) {
    put(static_cast<uint16_t>(s.size()));
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    out_.insert(out_.end(), p, p + s.size());
  }
  std::vector<std::byte>& bytes() { return out_; }

 private:
  std::vector<std::byte> out_;
};

bool read_string(ByteReader& r, Bytes payload, std::string* s) {
  uint16_t len = 0;
  if (!r.read(&len) || !r.has(len)) return false;
  s->assign(reinterpret_cast<const char*>(payload.data() + r.position()), len);
  return r.skip(len);
}

constexpr char kMetadataTag[8] = {'W', 'A', 'L', 'P', 'I', 'P', 'E', '1'};

Status corrupt(const std::string& what, const std::string& why) {
  return Status(Code::kCorruption, "archive object \"" + what + "\" is corrupt: " + why);
}

}  // namespace

void fill_from_report(const wal::SegmentReport& r, ObjectMetadata* meta) {
  meta->wal_magic = r.magic;
  meta->system_id = r.system_id;
  meta->segment_size = r.segment_size;
  meta->page_size = r.page_size;
  meta->timeline = r.timeline;
  meta->first_lsn = r.first_record_lsn;
  meta->last_lsn = r.last_record_lsn;
  meta->end_lsn = r.end_lsn;
  meta->record_count = r.record_count;
  meta->first_commit_time = r.first_commit_time;
  meta->last_commit_time = r.last_commit_time;
  meta->ends_with_switch = r.ends_with_switch;
  const wal::Finding* error = r.first_error();
  meta->validation_error = error ? error->message : "";
}

std::vector<std::byte> encode_metadata(const ObjectMetadata& m, size_t payload_size) {
  WALPIPE_CHECK(m.name.size() <= kMaxNameLength);
  Writer w;
  for (char c : kMetadataTag) w.put(c);
  w.put(m.format_version);
  w.put(m.flags);
  w.put_string(m.name);
  w.put(m.original_size);
  w.put(m.fingerprint.low);
  w.put(m.fingerprint.high);
  w.put(m.frame_input_size);
  w.put(static_cast<uint32_t>(m.frame_sizes.size()));
  for (uint32_t s : m.frame_sizes) w.put(s);
  w.put(m.wal_magic);
  w.put(m.system_id);
  w.put(m.segment_size);
  w.put(m.page_size);
  w.put(m.timeline);
  w.put(m.first_lsn);
  w.put(m.last_lsn);
  w.put(m.end_lsn);
  w.put(m.record_count);
  uint8_t has_times = m.first_commit_time.has_value() ? 1 : 0;
  w.put(has_times);
  w.put(m.first_commit_time.value_or(0));
  w.put(m.last_commit_time.value_or(0));
  w.put(static_cast<uint8_t>(m.ends_with_switch ? 1 : 0));
  w.put_string(m.validation_error.substr(0, kMaxValidationErrorLength));
  if (m.format_version >= 3) {
    w.put(static_cast<uint8_t>(m.stored_fingerprint ? 1 : 0));
    w.put(m.stored_fingerprint.value_or(Fingerprint{}).low);
    w.put(m.stored_fingerprint.value_or(Fingerprint{}).high);
  }
  if (m.format_version >= 2) {
    constexpr size_t kFillerLengthAndChecksum = 8;
    size_t used = w.bytes().size() + kFillerLengthAndChecksum;
    WALPIPE_CHECK(payload_size == 0 || payload_size >= used);
    uint32_t filler = payload_size > used ? static_cast<uint32_t>(payload_size - used) : 0;
    w.put(filler);
    w.bytes().resize(w.bytes().size() + filler, std::byte{0});
  }
  uint32_t crc = crc32c::of(w.bytes());
  w.put(crc);
  return std::move(w.bytes());
}

Result<ObjectMetadata> decode_metadata_frame(Bytes start, const std::string& where) {
  Result<zstd::Skippable> frame = zstd::read_skippable(start);
  if (!frame.is_ok() || frame->magic_nibble != kMetadataMagicNibble)
    return Status(Code::kCorruption, "archive object \"" + where + "\" has no walpipe metadata");
  Result<ObjectMetadata> meta = decode_metadata(frame->payload);
  if (!meta.is_ok())
    return Status(Code::kCorruption,
                  "archive object \"" + where + "\" is corrupt: " + meta.status().message());
  return meta;
}

Result<ObjectMetadata> decode_metadata(Bytes payload) {
  if (payload.size() < sizeof kMetadataTag + 4 ||
      std::memcmp(payload.data(), kMetadataTag, sizeof kMetadataTag) != 0)
    return Status(Code::kCorruption, "metadata frame does not start with the walpipe tag");
  uint32_t stored_crc = load_le<uint32_t>(payload.data() + payload.size() - 4);
  if (crc32c::of(payload.first(payload.size() - 4)) != stored_crc)
    return Status(Code::kCorruption, "metadata checksum mismatch");
  ByteReader r(payload.first(payload.size() - 4));
  r.skip(sizeof kMetadataTag);
  ObjectMetadata m;
  uint32_t frame_count = 0;
  bool ok = r.read(&m.format_version) && r.read(&m.flags);
  if (ok && (m.format_version < 1 || m.format_version > kObjectFormatVersion))
    return Status(Code::kUnsupported, "object format version " + std::to_string(m.format_version) +
                                          " is not supported by this walpipe (it reads versions "
                                          "1 to " +
                                          std::to_string(kObjectFormatVersion) + ")");
  if (ok && (m.flags & ~kKnownFlags) != 0)
    return Status(Code::kUnsupported, "object uses features this walpipe does not know (flags " +
                                          std::to_string(m.flags) + ")");
  ok = ok && read_string(r, payload, &m.name) && r.read(&m.original_size) &&
       r.read(&m.fingerprint.low) && r.read(&m.fingerprint.high) && r.read(&m.frame_input_size) &&
       r.read(&frame_count) && frame_count <= kMaxDataFrames;
  for (uint32_t i = 0; ok && i < frame_count; ++i) {
    uint32_t s = 0;
    ok = r.read(&s);
    m.frame_sizes.push_back(s);
  }
  uint8_t has_times = 0, switched = 0;
  int64_t first_time = 0, last_time = 0;
  ok = ok && r.read(&m.wal_magic) && r.read(&m.system_id) && r.read(&m.segment_size) &&
       r.read(&m.page_size) && r.read(&m.timeline) && r.read(&m.first_lsn) && r.read(&m.last_lsn) &&
       r.read(&m.end_lsn) && r.read(&m.record_count) && r.read(&has_times) && r.read(&first_time) &&
       r.read(&last_time) && r.read(&switched) && read_string(r, payload, &m.validation_error);
  if (ok && m.format_version >= 3) {
    uint8_t has_stored = 0;
    Fingerprint stored;
    ok = r.read(&has_stored) && r.read(&stored.low) && r.read(&stored.high) && has_stored <= 1;
    if (ok && has_stored) m.stored_fingerprint = stored;
  }
  if (ok && m.format_version >= 2) {
    uint32_t filler = 0;
    ok = r.read(&filler) && r.has(filler);
    for (uint32_t i = 0; ok && i < filler; ++i) ok = payload[r.position() + i] == std::byte{0};
    ok = ok && r.skip(filler);
  }
  ok = ok && r.remaining() == 0;
  if (!ok) return Status(Code::kCorruption, "metadata frame is malformed");
  if (has_times) {
    m.first_commit_time = first_time;
    m.last_commit_time = last_time;
  }
  m.ends_with_switch = switched != 0;
  return m;
}

size_t data_offset(size_t frame_count, uint32_t format_version) {
  // Every field at its largest: the fixed ones, the longest name and validation error, the
  // filler's length, the checksum, the stored bytes' fingerprint (format 3), and the frame table.
  constexpr size_t kFixed = sizeof kMetadataTag + 4 + 4 + 8 + 16 + 4 + 4 + 2 + 8 + 4 + 4 + 4 +
                            4 * 8 + 1 + 2 * 8 + 1 + 4 + 4;
  constexpr size_t kLongest =
      zstd::kSkippableHeaderSize + kFixed + 2 + kMaxNameLength + 2 + kMaxValidationErrorLength;
  const size_t stored_fingerprint = format_version >= 3 ? 1 + 16 : 0;
  size_t size = kLongest + stored_fingerprint + 4 * frame_count;
  return (size + kObjectAlignment - 1) / kObjectAlignment * kObjectAlignment;
}

void write_metadata_block(const ObjectMetadata& meta, std::span<std::byte> block) {
  WALPIPE_CHECK(block.size() == data_offset(meta.frame_sizes.size(), meta.format_version));
  std::vector<std::byte> head;
  zstd::append_skippable(&head, kMetadataMagicNibble,
                         encode_metadata(meta, block.size() - zstd::kSkippableHeaderSize));
  WALPIPE_CHECK(head.size() == block.size());
  std::memcpy(block.data(), head.data(), head.size());
}

size_t write_padding(std::span<std::byte> buffer, size_t frames_end) {
  // The padding frame needs at least its 8-byte header.
  size_t total = (frames_end + zstd::kSkippableHeaderSize + kObjectAlignment - 1) /
                 kObjectAlignment * kObjectAlignment;
  WALPIPE_CHECK(buffer.size() >= total);
  size_t payload = total - frames_end - zstd::kSkippableHeaderSize;
  uint32_t header[2] = {0x184D2A50u | kPaddingMagicNibble, static_cast<uint32_t>(payload)};
  std::memcpy(buffer.data() + frames_end, header, sizeof header);
  std::memset(buffer.data() + frames_end + sizeof header, 0, payload);
  return total;
}

Result<ParsedObject> parse_object(Bytes object, const std::string& what) {
  Result<zstd::Skippable> head = zstd::read_skippable(object);
  if (!head.is_ok() || head->magic_nibble != kMetadataMagicNibble)
    return corrupt(what, "it does not start with a walpipe metadata frame");
  if (head->payload.size() > kMaxMetadataSize) return corrupt(what, "metadata frame is too large");
  Result<ObjectMetadata> meta = decode_metadata(head->payload);
  if (!meta.is_ok()) {
    Status s = std::move(meta).take_status();
    if (s.code() == Code::kUnsupported)
      return Status(Code::kUnsupported, "archive object \"" + what + "\": " + s.message());
    return corrupt(what, s.message());
  }
  ParsedObject parsed;
  parsed.meta = std::move(*meta);
  const ObjectMetadata& m = parsed.meta;
  uint64_t expected_frames =
      m.frame_input_size ? (m.original_size + m.frame_input_size - 1) / m.frame_input_size : 0;
  if (m.frame_input_size < kMinFrameInputSize || m.frame_input_size > kMaxFrameInputSize ||
      expected_frames != m.frame_sizes.size())
    return corrupt(what, "frame table does not match the original size");
  size_t pos = zstd::kSkippableHeaderSize + head->payload.size();
  const size_t data_start = pos;
  if (m.format_version >= 2 && pos != data_offset(m.frame_sizes.size(), m.format_version))
    return corrupt(what, "its metadata frame does not fill the block before the data frames");
  for (uint32_t size : m.frame_sizes) {
    if (object.size() - pos < size) return corrupt(what, "it is truncated");
    Bytes frame = object.subspan(pos, size);
    Result<size_t> actual = zstd::frame_size(frame);
    if (!actual.is_ok() || *actual != size) return corrupt(what, "a data frame boundary is wrong");
    parsed.frames.push_back(frame);
    pos += size;
  }
  Result<zstd::Skippable> pad = zstd::read_skippable(object.subspan(pos));
  if (!pad.is_ok() || pad->magic_nibble != kPaddingMagicNibble)
    return corrupt(what, "it is truncated or has data after its last frame");
  pos += zstd::kSkippableHeaderSize + pad->payload.size();
  if (pos != object.size()) return corrupt(what, "it has data after its padding frame");
  if (m.stored_fingerprint) {
    const Fingerprint stored = fingerprint_of(object.subspan(data_start));
    if (stored != *m.stored_fingerprint)
      parsed.damage = "its stored bytes have changed since it was written (XXH3-128 " +
                      stored.hex() + ", recorded " + m.stored_fingerprint->hex() + ")";
  } else if (first_nonzero(pad->payload) != pad->payload.size()) {
    parsed.damage = "its padding frame holds data where walpipe writes zeros";
  }
  return parsed;
}

}  // namespace walpipe::archive
