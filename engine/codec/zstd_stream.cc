#include "codec/zstd_stream.h"

#include <zstd.h>

namespace walpipe {

namespace {
// 2^27 = 128 MiB window: enough for any frame walpipe or `zstd -19` writes for a 1 GiB
// segment, small enough that a hostile frame header cannot make us reserve gigabytes.
constexpr int kWindowLogMax = 27;
}  // namespace

struct ZstdDecoder::Impl {
  Impl() {
    WALPIPE_CHECK(dctx != nullptr);
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, kWindowLogMax);
  }
  ~Impl() { ZSTD_freeDCtx(dctx); }
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
};

ZstdDecoder::ZstdDecoder() : impl_(std::make_unique<Impl>()) {}

ZstdDecoder::~ZstdDecoder() = default;

void ZstdDecoder::reset(std::string what) {
  // A fresh context for every file: zstd keeps buffers sized by earlier frames, and with them
  // a malformed frame decodes differently (found by fuzzing). What a file is said to be must
  // not depend on the file read before it; a context costs microseconds next to a segment.
  impl_ = std::make_unique<Impl>();
  what_ = std::move(what);
  frame_done_ = true;
}

Result<size_t> ZstdDecoder::decode(Bytes in, size_t* consumed, std::span<std::byte> out) {
  ZSTD_inBuffer input{in.data(), in.size(), *consumed};
  ZSTD_outBuffer output{out.data(), out.size(), 0};
  while (input.pos < input.size && output.pos < output.size) {
    size_t ret = ZSTD_decompressStream(impl_->dctx, &output, &input);
    if (ZSTD_isError(ret)) {
      *consumed = input.pos;
      return Status(Code::kCorruption,
                    "could not decompress file \"" + what_ + "\": " + ZSTD_getErrorName(ret));
    }
    frame_done_ = (ret == 0);
  }
  *consumed = input.pos;
  return output.pos;
}

bool looks_like_zstd(Bytes bytes) {
  if (bytes.size() < 4) return false;
  uint32_t magic = load_le<uint32_t>(bytes.data());
  return magic == ZSTD_MAGICNUMBER ||
         (magic & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START;
}

}  // namespace walpipe
