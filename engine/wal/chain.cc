#include "wal/chain.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

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

namespace {

// Folders whose cluster vote is still open; an older one is decided when a new one arrives.
// A folder walk visits each folder once, so this only matters for files given one by one.
constexpr size_t kOpenFolders = 8;
// Files remembered per cluster of a folder, to name them if their cluster turns out to be
// the odd one out; beyond that they are counted.
constexpr size_t kVotersKept = 64;

struct Node {
  ChainFile file;
  WalFileName name;
  ChainPoint point;
  SegNo segno = 0;
  bool flagged = false;  // an error about the set was reported on it
  bool has_pred = false;
  bool has_succ = false;
  Lsn pending_in = 0;  // start of a record continued into this segment; 0 when unknown

  bool valid() const { return point.self_valid && !flagged; }
};

// Two copies of a segment are the same when they hold the same records up to the same end.
bool same_content(const ChainPoint& a, const ChainPoint& b) {
  return a.record_count == b.record_count && a.last_record_lsn == b.last_record_lsn &&
         a.first_record_prev == b.first_record_prev && a.end_lsn == b.end_lsn;
}

uint64_t content_digest(const ChainPoint& p) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (uint64_t v :
       {p.record_count, p.last_record_lsn, p.first_record_prev.value_or(~0ull), p.end_lsn}) {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
  }
  return h;
}

using Identity = std::tuple<uint64_t, uint32_t, uint16_t>;  // system id, segment size, magic

struct Voter {
  ChainFile file;
  Lsn segment_start;
};

struct Votes {
  Identity identity;
  size_t count = 0;
  std::vector<Voter> voters;  // the first kVotersKept
};

struct FolderVotes {
  std::string folder;
  std::vector<Votes> votes;  // one per cluster seen, in order of arrival
  uint64_t last_use = 0;
};

struct ScopedHistory {
  std::string folder;  // applies to segments in this folder and below it
  TimelineHistory history;
};

bool within(const std::string& folder, const std::string& scope) {
  return folder == scope ||
         (folder.size() > scope.size() && folder.starts_with(scope) && folder[scope.size()] == '/');
}

}  // namespace

class ChainTracker::State {
 public:
  State(ChainOptions options, Report report, GapReport gaps)
      : options_(options), report_(std::move(report)), gaps_(std::move(gaps)) {}

  void add_segment(ChainFile file, const WalFileName& name, const ChainPoint& point);
  void add_history(ChainFile file, TimelineHistory history);
  void finish();

 private:
  using RunKey = std::tuple<uint64_t, uint32_t, TimeLineId>;  // cluster, segment size, timeline
  using Run = std::map<SegNo, Node>;

  void flag(Node& node, Severity severity, const char* code, const std::string& message);
  void vote(const Node& node);
  void decide(const FolderVotes& folder);
  bool is_copy(const RunKey& key, const Run& run, Node& node);
  void check_pair(Node& prev, Node& next);
  void forget_if_linked(Run& run, SegNo segno);
  void check_history(const ScopedHistory& scoped, Node& node);
  void report_gaps(const Run& run);

  ChainOptions options_;
  Report report_;
  GapReport gaps_;
  std::map<RunKey, Run> runs_;
  std::map<RunKey, std::map<SegNo, uint64_t>> digests_;  // names_may_repeat only
  std::vector<FolderVotes> folders_;
  std::vector<ScopedHistory> histories_;
  std::vector<Node> open_ends_;  // WAL ends early: a later history may switch inside it
  uint64_t arrivals_ = 0;
};

void ChainTracker::State::flag(Node& node, Severity severity, const char* code,
                               const std::string& message) {
  report_(node.file, Finding{severity, code, 0, node.point.segment_start, message});
  if (severity == Severity::kError) node.flagged = true;
}

// A folder's cluster is what most of its files say; the odd ones out are the findings.
void ChainTracker::State::vote(const Node& node) {
  ++arrivals_;
  auto folder = std::find_if(folders_.begin(), folders_.end(),
                             [&](const FolderVotes& f) { return f.folder == node.file.folder; });
  if (folder == folders_.end()) {
    if (folders_.size() == kOpenFolders) {
      auto oldest = std::min_element(
          folders_.begin(), folders_.end(),
          [](const FolderVotes& a, const FolderVotes& b) { return a.last_use < b.last_use; });
      decide(*oldest);
      folders_.erase(oldest);
    }
    folders_.push_back(FolderVotes{node.file.folder, {}, 0});
    folder = folders_.end() - 1;
  }
  folder->last_use = arrivals_;
  Identity identity{node.point.system_id, node.point.segment_size, node.point.magic};
  auto votes = std::find_if(folder->votes.begin(), folder->votes.end(),
                            [&](const Votes& v) { return v.identity == identity; });
  if (votes == folder->votes.end()) {
    folder->votes.push_back(Votes{identity, 0, {}});
    votes = folder->votes.end() - 1;
  }
  ++votes->count;
  if (votes->voters.size() < kVotersKept)
    votes->voters.push_back(Voter{node.file, node.point.segment_start});
}

void ChainTracker::State::decide(const FolderVotes& folder) {
  if (folder.votes.size() < 2) return;
  const Votes& majority =
      *std::max_element(folder.votes.begin(), folder.votes.end(),
                        [](const Votes& a, const Votes& b) { return a.count < b.count; });
  auto [sysid, seg_size, magic] = majority.identity;
  char buf[320];
  for (const Votes& odd : folder.votes) {
    if (&odd == &majority) continue;
    auto [odd_sysid, odd_seg_size, odd_magic] = odd.identity;
    const char* code;
    if (odd_sysid != sysid) {
      code = "SYSID_MISMATCH";
      std::snprintf(buf, sizeof buf,
                    "WAL file is from different database system: WAL file database system "
                    "identifier is %llu, the other files of this directory have %llu",
                    static_cast<unsigned long long>(odd_sysid),
                    static_cast<unsigned long long>(sysid));
    } else if (odd_seg_size != seg_size) {
      code = "SEGSIZE_INVALID";
      std::snprintf(buf, sizeof buf,
                    "WAL segment size %u differs from the %u bytes of the other files of this "
                    "directory",
                    odd_seg_size, seg_size);
    } else {
      code = "MAGIC_MIXED";
      std::snprintf(buf, sizeof buf,
                    "WAL page magic %04X differs from %04X of the other files of this directory",
                    odd_magic, magic);
    }
    for (size_t i = 0; i < odd.voters.size(); ++i) {
      std::string message = buf;
      size_t unnamed = odd.count - odd.voters.size();
      if (i + 1 == odd.voters.size() && unnamed > 0)
        message += " (and " + std::to_string(unnamed) + " more files like it in this directory)";
      const Voter& v = odd.voters[i];
      report_(v.file, Finding{Severity::kError, code, 0, v.segment_start, message});
    }
  }
}

// Whether `node` repeats a segment already seen; a copy with other content is reported.
bool ChainTracker::State::is_copy(const RunKey& key, const Run& run, Node& node) {
  bool same;
  if (options_.names_may_repeat) {
    auto [seen, fresh] = digests_[key].emplace(node.segno, content_digest(node.point));
    if (fresh) return false;
    same = seen->second == content_digest(node.point);
  } else {
    auto seen = run.find(node.segno);
    if (seen == run.end()) return false;
    same = same_content(seen->second.point, node.point);
  }
  if (!same)
    flag(node, Severity::kError, "ARCHIVE_CONFLICT",
         "segment " + node.name.to_string() + " is present twice with different content");
  return true;
}

// `next` follows `prev` directly in LSN order: the record stream must run on without a seam.
void ChainTracker::State::check_pair(Node& prev, Node& next) {
  prev.has_succ = true;
  next.has_pred = true;
  const ChainPoint& p = prev.point;
  const ChainPoint& n = next.point;
  Lsn pending = p.continued_record_lsn ? *p.continued_record_lsn : prev.pending_in;
  next.pending_in = pending;
  if (!prev.valid() || !next.valid() || p.open_end) return;
  std::string names = prev.name.to_string() + " and " + next.name.to_string();
  char buf[320];
  if (n.overwritten_lsn) {
    if (pending != *n.overwritten_lsn) {
      std::snprintf(buf, sizeof buf,
                    "overwritten contrecord at %s does not match the record left incomplete "
                    "between %s",
                    format_lsn(*n.overwritten_lsn).c_str(), names.c_str());
      flag(next, Severity::kError, "CHAIN_GAP", buf);
    }
    return;
  }
  if (p.continued_remaining != n.leading_continuation) {
    std::snprintf(buf, sizeof buf,
                  "records do not connect between %s: %llu bytes of a record continue, but the "
                  "next segment starts with %u bytes of continuation",
                  names.c_str(), static_cast<unsigned long long>(p.continued_remaining),
                  n.leading_continuation);
    flag(next, Severity::kError, "CHAIN_GAP", buf);
    return;
  }
  Lsn want_prev = p.continued_remaining ? pending : p.record_count ? p.last_record_lsn : 0;
  if (want_prev != 0 && n.first_record_prev && *n.first_record_prev != want_prev) {
    std::snprintf(
        buf, sizeof buf, "records do not connect between %s: first record links to %s, expected %s",
        names.c_str(), format_lsn(*n.first_record_prev).c_str(), format_lsn(want_prev).c_str());
    flag(next, Severity::kError, "PREV_LINK", buf);
  }
}

// A segment linked on both sides has nothing left to check: only run ends stay.
void ChainTracker::State::forget_if_linked(Run& run, SegNo segno) {
  auto it = run.find(segno);
  if (it != run.end() && it->second.has_pred && it->second.has_succ) run.erase(it);
}

void ChainTracker::State::check_history(const ScopedHistory& scoped, Node& node) {
  const TimelineHistory& h = scoped.history;
  const ChainPoint& r = node.point;
  if (!within(node.file.folder, scoped.folder)) return;
  char buf[320];
  Lsn seg_end = r.segment_start + r.segment_size;
  std::string name = node.name.to_string();
  if (node.name.tli == h.timeline) {
    if (seg_end <= h.branch_point()) {
      std::snprintf(buf, sizeof buf,
                    "segment %s of timeline %u lies before the timeline's branch point %s",
                    name.c_str(), h.timeline, format_lsn(h.branch_point()).c_str());
      flag(node, Severity::kError, "TLI_NOT_IN_HISTORY", buf);
    }
    bool known = r.min_page_tli == h.timeline ||
                 std::any_of(h.entries.begin(), h.entries.end(),
                             [&](const HistoryEntry& e) { return e.parent == r.min_page_tli; });
    if (r.min_page_tli != 0 && !known) {
      std::snprintf(buf, sizeof buf,
                    "segment %s has pages of timeline %u, which is not in the history of "
                    "timeline %u",
                    name.c_str(), r.min_page_tli, h.timeline);
      flag(node, Severity::kError, "TLI_NOT_IN_HISTORY", buf);
    }
    return;
  }
  // A parent's segment that holds a switch point must hold WAL up to it. An XLOG_SWITCH fills
  // the rest of its segment, so only WAL that ends early can end before a switch point.
  if (!r.open_end || r.ends_with_switch) return;
  for (const HistoryEntry& e : h.entries) {
    bool holds =
        e.parent == node.name.tli && e.switch_point > r.segment_start && e.switch_point <= seg_end;
    if (holds && node.valid() && e.switch_point > r.end_lsn) {
      std::snprintf(buf, sizeof buf,
                    "timeline %u history switches from timeline %u at %s, but WAL in %s ends "
                    "at %s",
                    h.timeline, e.parent, format_lsn(e.switch_point).c_str(), name.c_str(),
                    format_lsn(r.end_lsn).c_str());
      flag(node, Severity::kError, "HISTORY_SWITCHPOINT", buf);
    }
  }
}

void ChainTracker::State::add_segment(ChainFile file, const WalFileName& name,
                                      const ChainPoint& point) {
  if (!point.is_wal) return;
  std::optional<SegNo> segno = segno_of(name, point.segment_size);
  if (!segno) return;
  Node node{std::move(file), name, point, *segno};
  vote(node);
  for (const ScopedHistory& h : histories_) check_history(h, node);
  // .partial files end a timeline and link to nothing.
  if (name.kind != FileKind::kSegment) {
    if (point.open_end) open_ends_.push_back(std::move(node));
    return;
  }
  RunKey key{point.system_id, point.segment_size, name.tli};
  Run& run = runs_[key];
  if (is_copy(key, run, node)) return;
  if (point.open_end) open_ends_.push_back(node);
  Node& placed = run.emplace(*segno, std::move(node)).first->second;
  auto prev = *segno > 0 ? run.find(*segno - 1) : run.end();
  auto next = run.find(*segno + 1);
  if (prev != run.end()) check_pair(prev->second, placed);
  if (next != run.end()) check_pair(placed, next->second);
  if (*segno > 0) forget_if_linked(run, *segno - 1);
  forget_if_linked(run, *segno + 1);
  forget_if_linked(run, *segno);
}

void ChainTracker::State::add_history(ChainFile file, TimelineHistory history) {
  ScopedHistory scoped{std::move(file.folder), std::move(history)};
  for (auto& [key, run] : runs_)
    for (auto& [segno, node] : run)
      if (!node.point.open_end) check_history(scoped, node);
  for (Node& node : open_ends_) check_history(scoped, node);
  histories_.push_back(std::move(scoped));
}

void ChainTracker::State::report_gaps(const Run& run) {
  const Node* prev = nullptr;
  for (const auto& [segno, node] : run) {
    if (prev && !prev->has_succ && !node.has_pred && segno > prev->segno + 1) {
      const ChainPoint& p = prev->point;
      Gap gap;
      gap.before = prev->file;
      gap.after = node.file;
      gap.first_missing = segment_file_name(prev->name.tli, prev->segno + 1, p.segment_size);
      gap.last_missing = segment_file_name(prev->name.tli, segno - 1, p.segment_size);
      gap.missing = segno - prev->segno - 1;
      std::string missing = gap.missing == 1
                                ? "missing WAL segment " + gap.first_missing.to_string()
                                : "missing WAL segments " + gap.first_missing.to_string() + " to " +
                                      gap.last_missing.to_string();
      bool error = !options_.allow_gaps &&
                   (options_.require_contiguous || prev->file.in_archive || node.file.in_archive);
      gap.finding = Finding{error ? Severity::kError : Severity::kWarning, "CHAIN_GAP", 0,
                            segment_start_lsn(prev->segno + 1, p.segment_size),
                            missing + " between \"" + prev->name.to_string() + "\" and \"" +
                                node.name.to_string() + "\""};
      gaps_(gap);
    }
    prev = &node;
  }
}

void ChainTracker::State::finish() {
  for (const FolderVotes& folder : folders_) decide(folder);
  folders_.clear();
  for (const auto& [key, run] : runs_) report_gaps(run);
  runs_.clear();
}

ChainTracker::ChainTracker(ChainOptions options, Report report, GapReport gaps)
    : state_(std::make_unique<State>(options, std::move(report), std::move(gaps))) {}
ChainTracker::~ChainTracker() = default;

void ChainTracker::add_segment(ChainFile file, const WalFileName& name, const ChainPoint& point) {
  state_->add_segment(std::move(file), name, point);
}
void ChainTracker::add_history(ChainFile file, TimelineHistory history) {
  state_->add_history(std::move(file), std::move(history));
}
void ChainTracker::finish() { state_->finish(); }

}  // namespace walpipe::wal
