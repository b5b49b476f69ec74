#include "pipeline/object_reader.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "base/worker_pool.h"
#include "codec/fingerprint.h"
#include "codec/zstd_decoder.h"
#include "io/buffer.h"
#include "wal/inspect.h"

namespace walpipe::pipeline {

namespace {

// Runs job(i) for i in [0, count) on up to `threads` threads of the worker pool, each with one
// context for all the frames it takes; returns the first error, after which no frame starts.
template <typename Job>
Status parallel_for(size_t count, unsigned threads, Job&& job) {
  if (count == 0) return Status::ok();
  std::atomic<size_t> next{0};
  TaskGroup group;
  const std::function<Status()> runner = [&] {
    auto ctx = job.make_context();
    for (size_t i = next++; i < count && !group.cancelled(); i = next++) WALPIPE_TRY(job(ctx, i));
    return Status::ok();
  };
  const size_t runners = std::min<size_t>(std::max(1u, threads), count);
  return run_on_threads(group, static_cast<unsigned>(runners), runner);
}

// Frame i decoded into out[i*frame_input_size, …) when `out` is given, else into its worker's
// scratch buffer (not zero-filled: every byte is decompressed into first); then to `sink` if any.
Status decode_frames(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                     uint64_t total_size, std::span<std::byte> out, unsigned threads,
                     const FrameSink* sink) {
  WALPIPE_CHECK(frame_input_size > 0);
  WALPIPE_CHECK(out.empty() || out.size() == total_size);
  struct Context {
    zstd::Decoder decoder;
    io::AlignedBuffer scratch;
  };
  struct Job {
    const std::vector<Bytes>* frames;
    uint32_t frame_input_size;
    uint64_t total_size;
    std::span<std::byte> out;
    const FrameSink* sink;
    std::unique_ptr<Context> make_context() const {
      auto ctx = std::make_unique<Context>();
      if (out.empty())
        ctx->scratch.resize(static_cast<size_t>(std::min<uint64_t>(frame_input_size, total_size)));
      return ctx;
    }
    Status operator()(std::unique_ptr<Context>& ctx, size_t i) const {
      uint64_t offset = static_cast<uint64_t>(i) * frame_input_size;
      if (offset >= total_size)
        return Status(Code::kCorruption, "more data frames than the original size allows");
      size_t len = static_cast<size_t>(std::min<uint64_t>(frame_input_size, total_size - offset));
      std::span<std::byte> content = out.empty() ? std::span(ctx->scratch.data(), len)
                                                 : out.subspan(static_cast<size_t>(offset), len);
      WALPIPE_TRY(ctx->decoder.decode_frame((*frames)[i], content));
      return sink ? (*sink)(i, content) : Status::ok();
    }
  };
  return parallel_for(frames.size(), threads,
                      Job{&frames, frame_input_size, total_size, out, sink});
}

}  // namespace

Status decompress_frames(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                         std::span<std::byte> out, unsigned threads) {
  return decode_frames(frames, frame_input_size, out.size(), out, threads, nullptr);
}

Status decompress_frames_each(const std::vector<Bytes>& frames, uint32_t frame_input_size,
                              uint64_t total_size, unsigned threads, const FrameSink& sink) {
  return decode_frames(frames, frame_input_size, total_size, {}, threads, &sink);
}

Result<ObjectReader> ObjectReader::parse(Bytes object, std::string path) {
  WALPIPE_ASSIGN_OR_RETURN(archive::ParsedObject parsed, archive::parse_object(object, path));
  return ObjectReader(std::move(parsed), std::move(path));
}

std::string ObjectReader::damage() const {
  if (parsed_.damage.empty()) return "";
  return "archive object \"" + path_ + "\" is damaged: " + parsed_.damage;
}

Status ObjectReader::decode_into(std::span<std::byte> out, unsigned threads) const {
  WALPIPE_CHECK(out.size() == meta().original_size);
  return decompress_frames(parsed_.frames, meta().frame_input_size, out, threads);
}

Status ObjectReader::decode_each(unsigned threads, const FrameSink& sink) const {
  return decompress_frames_each(parsed_.frames, meta().frame_input_size, meta().original_size,
                                threads, sink);
}

Status ObjectReader::check_fingerprint(Bytes content) const {
  if (fingerprint_of(content) != meta().fingerprint)
    return Status(Code::kCorruption,
                  "its content does not match the recorded XXH3-128 " + meta().fingerprint.hex());
  return Status::ok();
}

Status ObjectReader::check_restorable(const wal::WalFileName& name, Bytes content,
                                      std::optional<uint64_t> system_id) const {
  WALPIPE_TRY(check_fingerprint(content));
  if (name.kind == wal::FileKind::kHistory || name.kind == wal::FileKind::kBackup)
    return Status::ok();
  wal::InspectOptions options;
  options.expected_system_id = system_id;
  // The XXH3-128 above matched: these are the bytes push checked record by record, or (flagged)
  // chose to keep despite a failure. Page headers and record structure are still walked.
  options.check_record_crc = false;
  wal::SegmentReport report = wal::inspect_segment(content, name.to_string(), options);
  const wal::Finding* error = report.first_error();
  bool flagged = (meta().flags & archive::kFlagFailedVerification) != 0;
  bool identity_error = error && (std::string(error->code) == "PAGEADDR_MISMATCH" ||
                                  std::string(error->code) == "SYSID_MISMATCH");
  if (error && (!flagged || !report.is_wal || identity_error))
    return Status(Code::kCorruption, error->message);
  return Status::ok();
}

}  // namespace walpipe::pipeline
