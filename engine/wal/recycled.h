// A segment file of a live pg_wal told apart by page 0 (docs/wal-format.md §7.3): PostgreSQL
// reuses old segments by renaming them to future names, so past the end of WAL pg_wal holds
// files that still carry an older segment's pages, or only zeros when they were made ahead of
// use. Such a file is no damage; the same first page before the end of WAL would be.
#pragma once

#include <string_view>

#include "base/bytes.h"
#include "wal/names.h"
#include "wal/report.h"

namespace walpipe::wal {

enum class FirstPage {
  kOwn,    // a long header carrying this segment's own address
  kOlder,  // a long header carrying the address of an earlier segment: recycled
  kZeros,  // nothing but zeros: preallocated
  kOther,  // anything else (damage, not WAL): inspect_segment says what
};

struct FirstPageView {
  FirstPage kind = FirstPage::kOther;
  Lsn pageaddr = 0;  // kOlder: where the old pages came from
};

// Judges the first bytes of the file `name` (at least the long page header; zeros are looked
// for in all of `first_page`, which should be one page). Pure.
FirstPageView classify_first_page(Bytes first_page, const WalFileName& name);

// The report of a file past the end of WAL whose first page is kOlder or kZeros: not WAL, no
// problem, one information finding (RECYCLED) that says what it holds.
SegmentReport recycled_report(const FirstPageView& view);

}  // namespace walpipe::wal
