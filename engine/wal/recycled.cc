#include "wal/recycled.h"

#include "wal/format.h"
#include "wal/page.h"

namespace walpipe::wal {

FirstPageView classify_first_page(Bytes first_page, const WalFileName& name) {
  if (first_page.size() < kLongPageHeaderSize || name.kind != FileKind::kSegment) return {};
  if (first_nonzero(first_page) == first_page.size()) return {FirstPage::kZeros, 0};
  std::optional<PageHeader> h = parse_page_header(first_page);
  if (!h || !h->is_long() || !version_for_magic(h->magic) || !valid_segment_size(h->seg_size))
    return {};
  std::optional<SegNo> segno = segno_of(name, h->seg_size);
  if (!segno) return {};
  Lsn own = segment_start_lsn(*segno, h->seg_size);
  if (h->pageaddr == own) return {FirstPage::kOwn, h->pageaddr};
  // A renamed segment moves only forward, and whole: its first page starts an older segment.
  if (h->pageaddr < own && h->pageaddr % h->seg_size == 0) return {FirstPage::kOlder, h->pageaddr};
  return {};
}

SegmentReport recycled_report(const FirstPageView& view) {
  SegmentReport report;
  if (view.kind == FirstPage::kZeros)
    report.add(Severity::kInfo, "RECYCLED", 0, 0, "past the end of WAL, preallocated with zeros");
  else
    report.add(Severity::kInfo, "RECYCLED", 0, view.pageaddr,
               "past the end of WAL, holding the old pages of " + format_lsn(view.pageaddr));
  return report;
}

}  // namespace walpipe::wal
