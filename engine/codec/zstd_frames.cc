#include "codec/zstd_frames.h"

#include <zstd.h>

namespace walpipe::zstd {

struct Compressor::Impl {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ~Impl() { ZSTD_freeCCtx(cctx); }
};

Compressor::Compressor(int level) : impl_(std::make_unique<Impl>()) {
  WALPIPE_CHECK(impl_->cctx != nullptr);
  ZSTD_CCtx_setParameter(impl_->cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(impl_->cctx, ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_setParameter(impl_->cctx, ZSTD_c_checksumFlag, 0);  // XXH3-128 covers the content
}

Compressor::~Compressor() = default;

size_t Compressor::bound(size_t input_size) { return ZSTD_compressBound(input_size); }

Result<size_t> Compressor::compress_frame(Bytes in, std::span<std::byte> out) {
  WALPIPE_CHECK(out.size() >= bound(in.size()));
  size_t n = ZSTD_compress2(impl_->cctx, out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n))
    return Status(Code::kIoError, std::string("could not compress: ") + ZSTD_getErrorName(n));
  return n;
}

Result<size_t> frame_size(Bytes bytes) {
  size_t n = ZSTD_findFrameCompressedSize(bytes.data(), bytes.size());
  if (ZSTD_isError(n))
    return Status(Code::kCorruption, std::string("incomplete zstd frame: ") + ZSTD_getErrorName(n));
  return n;
}

void append_skippable(std::vector<std::byte>* out, uint32_t magic_nibble, Bytes payload) {
  WALPIPE_CHECK(magic_nibble < 16);
  WALPIPE_CHECK(payload.size() <= UINT32_MAX);
  uint32_t header[2] = {ZSTD_MAGIC_SKIPPABLE_START | magic_nibble,
                        static_cast<uint32_t>(payload.size())};
  const auto* h = reinterpret_cast<const std::byte*>(header);
  out->insert(out->end(), h, h + sizeof header);
  out->insert(out->end(), payload.begin(), payload.end());
}

Result<Skippable> read_skippable(Bytes bytes) {
  if (bytes.size() < kSkippableHeaderSize)
    return Status(Code::kCorruption, "truncated skippable frame header");
  uint32_t magic = load_le<uint32_t>(bytes.data());
  uint32_t size = load_le<uint32_t>(bytes.data() + 4);
  if ((magic & ZSTD_MAGIC_SKIPPABLE_MASK) != ZSTD_MAGIC_SKIPPABLE_START)
    return Status(Code::kCorruption, "not a skippable frame");
  if (bytes.size() - kSkippableHeaderSize < size)
    return Status(Code::kCorruption, "skippable frame runs past the end of the file");
  return Skippable{magic & 0xFu, bytes.subspan(kSkippableHeaderSize, size)};
}

}  // namespace walpipe::zstd
