// Loads one WAL-set file — raw, zstd-compressed as the corpus stores them, or a walpipe archive
// object (checked against its own metadata: frame table, sizes, XXH3-128) — into
// a reusable buffer, never holding more than the file may legally be: a segment is at most
// 1 GiB and exactly what its own page 0 says; a history or backup file is small text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "codec/zstd_decoder.h"
#include "io/fs.h"

namespace walpipe::pipeline {

// .history and .backup files are a few hundred bytes; anything this large is not one.
inline constexpr uint64_t kMaxTextFileSize = 1 << 20;
inline constexpr uint64_t kMaxSegmentFileSize = 1ull << 30;
// An object is its metadata, frames that compress at worst slightly above their input, and
// padding; anything far larger than the biggest legal segment is not one of walpipe's.
inline constexpr uint64_t kMaxObjectFileSize = kMaxSegmentFileSize + (kMaxSegmentFileSize >> 4);

struct LoadedFile {
  bool compressed = false;
  uint64_t stored_size = 0;  // bytes on disk
  std::string object_name;   // a walpipe archive object: the WAL name its metadata records
  // An object whose stored bytes changed though its WAL still decodes: what to tell the
  // operator, naming the object (ObjectReader::damage).
  std::string damage;
};

class FileLoader {
 public:
  FileLoader() = default;

  // Reads `path` into data(). `text_file` selects the small limit for history/backup files.
  // Content problems (too large, a damaged or over-long zstd stream) are kCorruption; the OS
  // refusing is kIoError or kNotFound.
  Result<LoadedFile> load(const std::string& path, bool text_file);
  // The same for the bytes of a walpipe archive object, which messages call `path`.
  Result<LoadedFile> load_object_bytes(Bytes object, const std::string& path, bool text_file);

  std::span<const std::byte> data() const {
    return mapped_.bytes().empty() ? std::span<const std::byte>(buffer_.data(), size_)
                                   : mapped_.bytes();
  }

 private:
  Result<LoadedFile> load_object(const std::string& path, const io::Fd& fd, uint64_t stored,
                                 bool text_file);
  Result<LoadedFile> load_zstd(const std::string& path, const io::Fd& fd, uint64_t stored,
                               bool text_file);
  void ensure_capacity(uint64_t n);

  io::MappedFile mapped_;  // raw files are mapped, not copied
  std::vector<std::byte> buffer_;
  std::vector<std::byte> input_;
  uint64_t size_ = 0;
  zstd::Decoder decoder_;
};

}  // namespace walpipe::pipeline
