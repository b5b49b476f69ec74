#include "wal/chain.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

namespace walpipe::wal {

ChainPoint ChainPoint::of(const SegmentReport& r) {
  ChainPoint p;
  p.is_wal = r.is_wal;
  p.open_end = r.open_end;
  p.ends_with_switch = r.ends_with_switch;
  p.self_valid = r.valid();
  p.magic = r.magic;
  p.segment_size = r.segment_size;
  p.min_page_tli = r.min_page_tli;
  p.leading_continuation = r.leading_continuation;
  p.system_id = r.system_id;
  p.record_count = r.record_count;
  p.continued_remaining = r.continued_remaining;
  p.segment_start = r.segment_start;
  p.end_lsn = r.end_lsn;
  p.last_record_lsn = r.last_record_lsn;
  p.first_record_prev = r.first_record_prev;
  p.continued_record_lsn = r.continued_record_lsn;
  p.overwritten_lsn = r.overwritten_lsn;
  return p;
}

bool ChainPoint::valid() const {
  if (!self_valid) return false;
  for (const Finding& f : findings)
    if (f.severity == Severity::kError) return false;
  return true;
}

void ChainPoint::add(Severity severity, const char* code, uint64_t offset, Lsn lsn,
                     std::string message) {
  findings.push_back(Finding{severity, code, offset, lsn, std::move(message)});
}

namespace {

struct Segment {
  WalFileName name;
  const std::string* directory;
  ChainPoint* point;
  SegNo segno;
};

// A directory's cluster is what most of its files say; the odd ones out are the findings.
void check_same_cluster(const std::vector<const ChainItem*>& items) {
  std::map<std::tuple<uint64_t, uint32_t, uint16_t>, int> votes;
  for (const ChainItem* item : items)
    if (item->point->is_wal)
      ++votes[{item->point->system_id, item->point->segment_size, item->point->magic}];
  if (votes.size() < 2) return;
  auto majority = std::max_element(votes.begin(), votes.end(), [](auto& a, auto& b) {
                    return a.second < b.second;
                  })->first;
  auto [sysid, seg_size, magic] = majority;
  char buf[256];
  for (const ChainItem* item : items) {
    ChainPoint& r = *item->point;
    if (!r.is_wal) continue;
    if (r.system_id != sysid) {
      std::snprintf(buf, sizeof buf,
                    "WAL file is from different database system: WAL file database system "
                    "identifier is %llu, the other files of this directory have %llu",
                    static_cast<unsigned long long>(r.system_id),
                    static_cast<unsigned long long>(sysid));
      r.add(Severity::kError, "SYSID_MISMATCH", 0, r.segment_start, buf);
    } else if (r.segment_size != seg_size) {
      std::snprintf(buf, sizeof buf,
                    "WAL segment size %u differs from the %u bytes of the other files of this "
                    "directory",
                    r.segment_size, seg_size);
      r.add(Severity::kError, "SEGSIZE_INVALID", 0, r.segment_start, buf);
    } else if (r.magic != magic) {
      std::snprintf(buf, sizeof buf,
                    "WAL page magic %04X differs from %04X of the other files of this directory",
                    r.magic, magic);
      r.add(Severity::kError, "MAGIC_MIXED", 0, r.segment_start, buf);
    }
  }
}

// `next` follows `prev` directly in LSN order: the record stream must run on without a seam.
// `pending_lsn` is the start of a record still being continued (0: none; LSN 0 is invalid).
void check_link(const Segment& prev, const Segment& next, Lsn* pending_lsn) {
  const ChainPoint& p = *prev.point;
  ChainPoint& n = *next.point;
  std::string names = prev.name.to_string() + " and " + next.name.to_string();
  if (p.continued_record_lsn) *pending_lsn = *p.continued_record_lsn;
  if (!p.valid() || !n.valid() || !p.is_wal || !n.is_wal || p.open_end) return;
  char buf[320];
  if (n.overwritten_lsn) {
    if (*pending_lsn != *n.overwritten_lsn) {
      std::snprintf(buf, sizeof buf,
                    "overwritten contrecord at %s does not match the record left incomplete "
                    "between %s",
                    format_lsn(*n.overwritten_lsn).c_str(), names.c_str());
      n.add(Severity::kError, "CHAIN_GAP", 0, n.segment_start, buf);
    }
    return;
  }
  if (p.continued_remaining != n.leading_continuation) {
    std::snprintf(buf, sizeof buf,
                  "records do not connect between %s: %llu bytes of a record continue, but the "
                  "next segment starts with %u bytes of continuation",
                  names.c_str(), static_cast<unsigned long long>(p.continued_remaining),
                  n.leading_continuation);
    n.add(Severity::kError, "CHAIN_GAP", 0, n.segment_start, buf);
    return;
  }
  Lsn want_prev = p.continued_remaining ? *pending_lsn : p.record_count ? p.last_record_lsn : 0;
  if (want_prev != 0 && n.first_record_prev && *n.first_record_prev != want_prev) {
    std::snprintf(
        buf, sizeof buf, "records do not connect between %s: first record links to %s, expected %s",
        names.c_str(), format_lsn(*n.first_record_prev).c_str(), format_lsn(want_prev).c_str());
    n.add(Severity::kError, "PREV_LINK", 0, n.segment_start, buf);
  }
}

bool within(const std::string& path_dir, const std::string& scope) {
  return path_dir == scope || (path_dir.size() > scope.size() && path_dir.starts_with(scope) &&
                               path_dir[scope.size()] == '/');
}

void check_history(const ScopedHistory& scoped, const std::vector<Segment>& segments) {
  const TimelineHistory& h = scoped.history;
  char buf[320];
  for (const Segment& s : segments) {
    ChainPoint& r = *s.point;
    if (!r.is_wal || !within(*s.directory, scoped.directory)) continue;
    Lsn seg_end = r.segment_start + r.segment_size;
    if (s.name.tli == h.timeline) {
      if (seg_end <= h.branch_point()) {
        std::snprintf(buf, sizeof buf,
                      "segment %s of timeline %u lies before the timeline's branch point %s",
                      s.name.to_string().c_str(), h.timeline, format_lsn(h.branch_point()).c_str());
        r.add(Severity::kError, "TLI_NOT_IN_HISTORY", 0, r.segment_start, buf);
      }
      bool known = r.min_page_tli == h.timeline ||
                   std::any_of(h.entries.begin(), h.entries.end(),
                               [&](const HistoryEntry& e) { return e.parent == r.min_page_tli; });
      if (r.min_page_tli != 0 && !known) {
        std::snprintf(buf, sizeof buf,
                      "segment %s has pages of timeline %u, which is not in the history of "
                      "timeline %u",
                      s.name.to_string().c_str(), r.min_page_tli, h.timeline);
        r.add(Severity::kError, "TLI_NOT_IN_HISTORY", 0, r.segment_start, buf);
      }
      continue;
    }
    // A parent's segment that holds a switch point must hold WAL up to it.
    for (const HistoryEntry& e : h.entries) {
      bool holds =
          e.parent == s.name.tli && e.switch_point > r.segment_start && e.switch_point <= seg_end;
      // An XLOG_SWITCH fills the rest of its segment: WAL runs on to the segment's end.
      bool ended = r.open_end || r.ends_with_switch;
      Lsn wal_end = r.ends_with_switch ? seg_end : r.end_lsn;
      if (holds && ended && r.valid() && e.switch_point > wal_end) {
        std::snprintf(buf, sizeof buf,
                      "timeline %u history switches from timeline %u at %s, but WAL in %s ends "
                      "at %s",
                      h.timeline, e.parent, format_lsn(e.switch_point).c_str(),
                      s.name.to_string().c_str(), format_lsn(wal_end).c_str());
        r.add(Severity::kError, "HISTORY_SWITCHPOINT", 0, r.segment_start, buf);
      }
    }
  }
}

void check_runs(std::vector<Segment> full, const ChainOptions& options) {
  std::sort(full.begin(), full.end(), [](const Segment& a, const Segment& b) {
    return std::tie(a.point->system_id, a.point->segment_size, a.name.tli, a.segno) <
           std::tie(b.point->system_id, b.point->segment_size, b.name.tli, b.segno);
  });
  Lsn pending = 0;
  for (size_t i = 1; i < full.size(); ++i) {
    const Segment& prev = full[i - 1];
    const Segment& next = full[i];
    const ChainPoint& p = *prev.point;
    ChainPoint& n = *next.point;
    if (p.system_id != n.system_id || p.segment_size != n.segment_size ||
        prev.name.tli != next.name.tli) {
      pending = 0;
      continue;
    }
    if (next.segno == prev.segno) {
      bool same = p.record_count == n.record_count && p.last_record_lsn == n.last_record_lsn &&
                  p.first_record_prev == n.first_record_prev && p.end_lsn == n.end_lsn;
      if (!same)
        n.add(Severity::kError, "ARCHIVE_CONFLICT", 0, n.segment_start,
              "segment " + next.name.to_string() + " is present twice with different content");
      continue;
    }
    if (next.segno != prev.segno + 1) {
      WalFileName first = segment_file_name(prev.name.tli, prev.segno + 1, p.segment_size);
      WalFileName last = segment_file_name(prev.name.tli, next.segno - 1, p.segment_size);
      std::string missing = first.to_string();
      if (next.segno - prev.segno > 2) missing += " to " + last.to_string();
      n.add(options.require_contiguous ? Severity::kError : Severity::kWarning, "CHAIN_GAP", 0,
            n.segment_start,
            "missing segment " + missing + " between " + prev.name.to_string() + " and " +
                next.name.to_string());
      pending = 0;
      continue;
    }
    check_link(prev, next, &pending);
  }
}

}  // namespace

void check_chain(std::vector<ChainItem> items, const std::vector<ScopedHistory>& histories,
                 const ChainOptions& options) {
  std::map<std::string, std::vector<const ChainItem*>> by_directory;
  for (const auto& item : items) by_directory[*item.directory].push_back(&item);
  for (const auto& [dir, members] : by_directory) check_same_cluster(members);

  std::vector<Segment> segments;
  for (const auto& item : items) {
    if (!item.point->is_wal) continue;
    auto segno = segno_of(item.name, item.point->segment_size);
    if (!segno) continue;
    segments.push_back(Segment{item.name, item.directory, item.point, *segno});
  }
  for (const auto& h : histories) check_history(h, segments);

  // .partial files end a timeline and link to nothing.
  std::vector<Segment> full;
  for (const auto& s : segments)
    if (s.name.kind == FileKind::kSegment) full.push_back(s);
  check_runs(std::move(full), options);
}

}  // namespace walpipe::wal
