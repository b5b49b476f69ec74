#include "pipeline/file_loader.h"

#include <algorithm>

#include "archive/object.h"
#include "pipeline/object_reader.h"
#include "wal/inspect.h"

namespace walpipe::pipeline {

namespace {
constexpr size_t kInputChunk = 1 << 20;
constexpr uint32_t kSkippableMagicBase = 0x184D2A50;
// Enough decompressed bytes to hold page 0 of any page size.
constexpr uint64_t kPeekBytes = 64 * 1024;

std::string size_text(uint64_t n) { return std::to_string(n) + " bytes"; }
}  // namespace

void FileLoader::ensure_capacity(uint64_t n) {
  // Grows to the largest file seen and stays there, so memory is flat in the number of files;
  // doubling keeps growth during decompression linear in the bytes that actually arrive.
  if (buffer_.size() < n) buffer_.resize(std::max<uint64_t>(n, 2 * buffer_.size()));
}

Result<LoadedFile> FileLoader::load(const std::string& path, bool text_file) {
  size_ = 0;
  mapped_ = io::MappedFile();
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io::open_for_read(path));
  WALPIPE_ASSIGN_OR_RETURN(uint64_t stored, io::file_size(fd, path));
  std::byte magic[4] = {};
  WALPIPE_ASSIGN_OR_RETURN(size_t got, io::read_some(fd, 0, magic, path));
  if (got == sizeof magic &&
      load_le<uint32_t>(magic) == (kSkippableMagicBase | archive::kMetadataMagicNibble))
    return load_object(path, fd, stored, text_file);
  if (zstd::looks_like_zstd(Bytes(magic, got))) return load_zstd(path, fd, stored, text_file);

  uint64_t limit = text_file ? kMaxTextFileSize : kMaxSegmentFileSize;
  if (stored > limit)
    return Status(Code::kCorruption, "file \"" + path + "\" is too large to be a " +
                                         (text_file ? "history file" : "WAL segment") + " (" +
                                         size_text(stored) + ")");
  // Mapped: verifying a raw segment then costs no copy and no buffer (WAL files are never
  // truncated while they exist, so the mapping stays whole).
  WALPIPE_ASSIGN_OR_RETURN(io::MappedFile mapped, io::map_file(fd, stored, path));
  mapped_ = std::move(mapped);
  size_ = stored;
  return LoadedFile{false, stored};
}

Result<LoadedFile> FileLoader::load_object(const std::string& path, const io::Fd& fd,
                                           uint64_t stored, bool text_file) {
  if (stored > kMaxObjectFileSize)
    return Status(Code::kCorruption, "archive object \"" + path + "\" is too large");
  WALPIPE_ASSIGN_OR_RETURN(io::MappedFile mapped, io::map_file(fd, stored, path));
  return load_object_bytes(mapped.bytes(), path, text_file);
}

Result<LoadedFile> FileLoader::load_object_bytes(Bytes object, const std::string& path,
                                                 bool text_file) {
  size_ = 0;
  mapped_ = io::MappedFile();
  const uint64_t stored = object.size();
  WALPIPE_ASSIGN_OR_RETURN(ObjectReader reader, ObjectReader::parse(object, path));
  const archive::ObjectMetadata& meta = reader.meta();
  uint64_t limit = text_file ? kMaxTextFileSize : kMaxSegmentFileSize;
  if (meta.original_size > limit)
    return Status(Code::kCorruption, "archive object \"" + path + "\" records an impossible size");
  ensure_capacity(meta.original_size);
  // Files are verified in parallel already: one thread per object.
  Status checked = reader.decode_into(std::span(buffer_.data(), meta.original_size), 1);
  if (checked.is_ok()) {
    size_ = meta.original_size;
    checked = reader.check_fingerprint(data());
  }
  if (!checked.is_ok())
    return Status(Code::kCorruption, "archive object \"" + path + "\": " + checked.message());
  return LoadedFile{true, stored, meta.name, reader.damage()};
}

Result<LoadedFile> FileLoader::load_zstd(const std::string& path, const io::Fd& fd, uint64_t stored,
                                         bool text_file) {
  decoder_.reset(path);
  input_.resize(kInputChunk);
  uint64_t in_offset = 0;
  size_t in_len = 0, in_pos = 0;
  uint64_t limit = text_file ? kMaxTextFileSize : kPeekBytes;
  bool limit_final = text_file;
  bool input_done = false;
  for (;;) {
    if (in_pos == in_len && !input_done) {
      WALPIPE_ASSIGN_OR_RETURN(
          size_t n, io::read_some(fd, in_offset, std::span(input_.data(), input_.size()), path));
      in_offset += n;
      in_len = n;
      in_pos = 0;
      input_done = (n == 0);
    }
    if (input_done) break;
    // One byte of room past the limit shows whether the stream holds more than allowed. Room
    // is added as data arrives, not for what page 0 claims.
    uint64_t room = std::min<uint64_t>(limit + 1 - size_, kInputChunk * 4);
    ensure_capacity(size_ + room);
    WALPIPE_ASSIGN_OR_RETURN(size_t out, decoder_.decode(Bytes(input_.data(), in_len), &in_pos,
                                                         std::span(buffer_.data() + size_, room)));
    size_ += out;
    if (!limit_final && size_ >= kPeekBytes) {
      std::optional<uint32_t> seg_size = wal::peek_segment_size(Bytes(buffer_.data(), size_));
      // Not WAL: keep what was read; the inspector will say why it is not a segment.
      if (!seg_size) return LoadedFile{true, stored};
      limit = *seg_size;
      limit_final = true;
    }
    if (size_ > limit)
      return Status(Code::kCorruption, "compressed file \"" + path +
                                           "\" decompresses to more than " + size_text(limit));
  }
  if (!decoder_.at_frame_boundary())
    return Status(Code::kCorruption, "compressed file \"" + path +
                                         "\" is truncated: its last zstd frame is incomplete");
  return LoadedFile{true, stored};
}

}  // namespace walpipe::pipeline
