#include "codec/zstd_decoder.h"

#include <zstd.h>

#include "codec/zstd_frames.h"

namespace walpipe::zstd {

namespace {
// 2^27 = 128 MiB window: enough for any frame walpipe or `zstd -19` writes for a 1 GiB
// segment, small enough that a hostile frame header cannot make us reserve gigabytes. Only
// streams need a window buffer: a whole frame decodes straight into the caller's bytes.
constexpr int kWindowLogMax = 27;
}  // namespace

struct Decoder::Impl {
  Impl() {
    WALPIPE_CHECK(dctx != nullptr);
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, kWindowLogMax);
  }
  ~Impl() { ZSTD_freeDCtx(dctx); }
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
};

Decoder::Decoder() : impl_(std::make_unique<Impl>()) {}

Decoder::~Decoder() = default;

Status Decoder::decode_frame(Bytes frame, std::span<std::byte> out) {
  unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR || declared != out.size())
    return Status(Code::kCorruption,
                  "zstd frame declares " +
                      (declared == ZSTD_CONTENTSIZE_ERROR ? std::string("no valid size")
                                                          : std::to_string(declared) + " bytes") +
                      ", expected " + std::to_string(out.size()));
  // One frame, decoded straight into `out`: zstd never writes past its capacity, whatever the
  // frame says, and needs no window buffer of its own (streaming would allocate one per context).
  // `frame` must hold exactly one frame: more would be decoded into the rest of `out`.
  Result<size_t> whole = frame_size(frame);
  if (!whole.is_ok() || *whole != frame.size())
    return Status(Code::kCorruption, "zstd frame boundary does not match its recorded size");
  size_t ret = ZSTD_decompressDCtx(impl_->dctx, out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(ret))
    return Status(Code::kCorruption,
                  std::string("zstd frame is damaged: ") + ZSTD_getErrorName(ret));
  if (ret != out.size())
    return Status(Code::kCorruption, "zstd frame does not decompress to exactly " +
                                         std::to_string(out.size()) + " bytes");
  return Status::ok();
}

void Decoder::reset(std::string what) {
  // A fresh context for every stream: zstd keeps buffers sized by earlier frames, and with them
  // a malformed frame decodes differently (found by fuzzing). What a file is said to be must
  // not depend on the file read before it; a context costs microseconds next to a segment.
  impl_ = std::make_unique<Impl>();
  what_ = std::move(what);
  frame_done_ = true;
}

Result<size_t> Decoder::decode(Bytes in, size_t* consumed, std::span<std::byte> out) {
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

}  // namespace walpipe::zstd
