// The prefetch spool's record of a file it holds (engine/pipeline/spool_record.h), read back by
// every restore_command served from the spool; a record is a file anyone who can write the spool
// can plant. Beyond not crashing: what parses formats back to text that parses to the same
// record, and nothing larger than a record may hold parses.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/check.h"
#include "pipeline/spool_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace walpipe;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<pipeline::SpoolRecord> record =
      pipeline::parse_spool_record(text, "pg_wal/walpipe_prefetch/.checked.X");
  if (!record) return 0;
  WALPIPE_CHECK(size <= 8192);
  const std::string formatted = pipeline::format_spool_record(*record);
  std::optional<pipeline::SpoolRecord> again =
      pipeline::parse_spool_record(formatted, "pg_wal/walpipe_prefetch/.checked.X");
  WALPIPE_CHECK(again.has_value());
  WALPIPE_CHECK(again->archive == record->archive);
  WALPIPE_CHECK(again->size == record->size);
  WALPIPE_CHECK(again->fingerprint == record->fingerprint);
  WALPIPE_CHECK(pipeline::format_spool_record(*again) == formatted);
  return 0;
}
