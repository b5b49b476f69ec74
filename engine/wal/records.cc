#include "wal/records.h"

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "base/check.h"
#include "codec/crc32c.h"
#include "wal/decode.h"
#include "wal/page.h"

namespace walpipe::wal {

namespace {

// A record's bytes as they lie in the file: one piece per page it touches, page headers left out.
struct Piece {
  uint64_t offset;
  uint32_t length;
};

struct RecordHeader {
  uint32_t tot_len;
  uint32_t xid;
  Lsn prev;
  uint8_t info;
  uint8_t rmid;
  uint32_t crc;
};

RecordHeader parse_record_header(const std::byte* p) {
  RecordHeader h;
  h.tot_len = load_le<uint32_t>(p);
  h.xid = load_le<uint32_t>(p + 4);
  h.prev = load_le<uint64_t>(p + 8);
  h.info = static_cast<uint8_t>(p[16]);
  h.rmid = static_cast<uint8_t>(p[17]);
  h.crc = load_le<uint32_t>(p + 20);
  return h;
}

std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_string(const char* format, ...) {
  char buf[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

class Walker {
 public:
  Walker(const WalkInput& in, SegmentReport* report)
      : in_(in), report_(report), page_count_(in.file.size() / in.page_size) {}

  void run();

 private:
  enum class Step { kNext, kStop };

  Lsn lsn_at(uint64_t offset) const { return in_.segment_start + offset; }
  uint64_t page_start(uint64_t offset) const { return offset - offset % in_.page_size; }

  std::optional<PageHeader> enter_page(uint64_t page_index);
  bool skip_leading_continuation(const PageHeader& page0);
  Step read_record();
  bool check_header(const RecordHeader& h, Lsn lsn, uint64_t offset);
  bool gather(uint64_t offset, uint32_t tot_len, Lsn lsn, std::optional<RecordHeader>* header,
              bool* continues);
  void copy_out(uint32_t from, uint32_t count, std::byte* dst) const;
  uint32_t record_crc() const;
  void note_record(const RecordHeader& h, Lsn lsn, const BodyLayout& layout);
  void check_switch_tail(uint64_t after);
  // `next_record`: where the next record would start when the failing record's length is
  // trustworthy (a CRC or body problem), so a record that links to it can be looked for.
  void stop(const char* code, uint64_t offset, Lsn lsn, std::string message,
            std::optional<uint64_t> next_record = std::nullopt);
  bool valid_page_follows(uint64_t page_index) const;
  bool record_links_back(uint64_t pos, Lsn prev) const;

  const WalkInput& in_;
  SegmentReport* report_;
  const uint64_t page_count_;
  uint64_t pos_ = 0;
  uint64_t pages_entered_ = 1;  // page 0 is checked by the caller
  TimeLineId last_page_tli_ = 0;
  std::optional<Lsn> prev_lsn_;
  // Set when a continuation page was found overwritten: the next record must say so.
  std::optional<Lsn> abandoned_lsn_;
  std::optional<Lsn> abandoned_prev_;
  bool expect_overwrite_record_ = false;
  std::vector<Piece> pieces_;
  std::array<std::byte, kRecordHeaderSize> header_bytes_{};
  // The current record's header: in the file, or gathered into header_bytes_ when it is split.
  const std::byte* header_ptr_ = nullptr;
  std::array<std::byte, kMaxRecordHeadersSize> head_buf_{};
  bool stopped_ = false;
};

std::optional<PageHeader> Walker::enter_page(uint64_t page_index) {
  uint64_t offset = page_index * in_.page_size;
  Bytes page = in_.file.subspan(offset, in_.page_size);
  std::optional<PageHeader> h = parse_page_header(page);
  PageExpectation want{in_.version,   lsn_at(offset), page_index == 0, in_.seg_size,
                       in_.page_size, in_.system_id,  in_.file_name,   offset};
  if (!h) {
    stop("PAGE_HEADER", offset, lsn_at(offset), "page header does not fit in the page");
    return std::nullopt;
  }
  if (auto problem = check_page_header(*h, want)) {
    stop(problem->code, offset, lsn_at(offset), std::move(problem->message));
    return std::nullopt;
  }
  if (h->tli < last_page_tli_) {
    stop("TLI_BACKWARDS", offset, lsn_at(offset),
         printf_string("out-of-sequence timeline ID %u (after %u) in WAL segment %.*s, LSN %s, "
                       "offset %llu",
                       h->tli, last_page_tli_, static_cast<int>(in_.file_name.size()),
                       in_.file_name.data(), format_lsn(lsn_at(offset)).c_str(),
                       static_cast<unsigned long long>(offset)));
    return std::nullopt;
  }
  if (h->tli > in_.file_tli) {
    stop("TLI_ABOVE_FILE", offset, lsn_at(offset),
         printf_string("page timeline ID %u is above the file's timeline %u, LSN %s", h->tli,
                       in_.file_tli, format_lsn(lsn_at(offset)).c_str()));
    return std::nullopt;
  }
  if (h->is_long() && page_index != 0)
    report_->add(Severity::kWarning, "LONG_HEADER_MISPLACED", offset, lsn_at(offset),
                 "long page header on a page that does not start the segment");
  if (h->padding != 0)
    report_->add(Severity::kWarning, "HEADER_PADDING_NONZERO", offset, lsn_at(offset),
                 "page header padding bytes are not zero");
  if (h->rem_len != 0 && !(h->info & kFirstIsContRecord))
    report_->add(Severity::kWarning, "REMLEN_WITHOUT_FLAG", offset, lsn_at(offset),
                 printf_string("xlp_rem_len %u set without XLP_FIRST_IS_CONTRECORD", h->rem_len));
  last_page_tli_ = h->tli;
  if (report_->min_page_tli == 0 || h->tli < report_->min_page_tli) report_->min_page_tli = h->tli;
  report_->max_page_tli = std::max(report_->max_page_tli, h->tli);
  pages_entered_ = std::max(pages_entered_, page_index + 1);
  return h;
}

// A file that starts inside a record holds its tail first; the first own record follows it.
bool Walker::skip_leading_continuation(const PageHeader& page0) {
  uint32_t rem = page0.rem_len;
  report_->leading_continuation = rem;
  if (rem == 0) {
    stop("CONTRECORD_LENGTH", 0, lsn_at(0),
         "invalid contrecord length 0 at " + format_lsn(lsn_at(page0.size())));
    return false;
  }
  uint64_t page = 0;
  uint32_t header_size = page0.size();
  for (;;) {
    uint32_t room = in_.page_size - header_size;
    if (rem <= room) {
      pos_ = page * in_.page_size + header_size + maxalign(rem);
      return true;
    }
    rem -= room;
    if (++page >= page_count_) {
      report_->continued_remaining = rem;
      pos_ = in_.file.size();
      return true;
    }
    std::optional<PageHeader> h = enter_page(page);
    if (!h) return false;
    uint64_t offset = page * in_.page_size;
    if (!(h->info & kFirstIsContRecord) || h->rem_len != rem) {
      stop("CONTRECORD_LENGTH", offset, lsn_at(offset),
           printf_string("invalid contrecord length %u (expected %u) at %s", h->rem_len, rem,
                         format_lsn(lsn_at(offset + h->size())).c_str()));
      return false;
    }
    header_size = h->size();
  }
}

void Walker::run() {
  std::optional<PageHeader> page0 = parse_page_header(in_.file);
  WALPIPE_CHECK(page0.has_value());
  last_page_tli_ = page0->tli;
  report_->min_page_tli = report_->max_page_tli = page0->tli;
  if (page0->info & kFirstIsOverwriteContRecord) {
    // The record this page would have continued was lost in the previous segment.
    expect_overwrite_record_ = true;
    pos_ = page0->size();
  } else if (page0->info & kFirstIsContRecord) {
    if (!skip_leading_continuation(*page0)) return;
  } else {
    pos_ = page0->size();
  }
  while (!stopped_ && pos_ < in_.file.size()) {
    if (pos_ % in_.page_size == 0) {
      std::optional<PageHeader> h = enter_page(pos_ / in_.page_size);
      if (!h) return;
      if (h->info & kFirstIsContRecord) {
        stop("CONTRECORD_UNEXPECTED", pos_, lsn_at(pos_),
             "contrecord is requested by " + format_lsn(lsn_at(pos_ + h->size())));
        return;
      }
      if (h->info & kFirstIsOverwriteContRecord) expect_overwrite_record_ = true;
      pos_ += h->size();
    }
    if (read_record() == Step::kStop) return;
  }
}

bool Walker::check_header(const RecordHeader& h, Lsn lsn, uint64_t offset) {
  if (h.tot_len > kMaxRecordSize) {
    stop("RECORD_LEN_HUGE", offset, lsn,
         printf_string("record length %u at %s too long", h.tot_len, format_lsn(lsn).c_str()));
    return false;
  }
  bool rmid_ok =
      h.rmid <= in_.version->max_builtin_rmid || (in_.version->custom_rmgrs && h.rmid >= 128);
  if (!rmid_ok) {
    stop("RMID_INVALID", offset, lsn,
         printf_string("invalid resource manager ID %u at %s", h.rmid, format_lsn(lsn).c_str()));
    return false;
  }
  std::optional<Lsn> want_prev =
      expect_overwrite_record_ && abandoned_prev_ ? abandoned_prev_ : prev_lsn_;
  bool prev_ok = want_prev ? h.prev == *want_prev : h.prev < lsn;
  if (!prev_ok) {
    stop("PREV_LINK", offset, lsn,
         printf_string("record with incorrect prev-link %s at %s", format_lsn(h.prev).c_str(),
                       format_lsn(lsn).c_str()));
    return false;
  }
  if (expect_overwrite_record_ &&
      (h.rmid != kRmXlog || (h.info & 0xF0) != kXlogOverwriteContRecord)) {
    stop("OVERWRITE_RECORD", offset, lsn,
         "page with XLP_FIRST_IS_OVERWRITE_CONTRECORD does not start with an "
         "OVERWRITE_CONTRECORD record at " +
             format_lsn(lsn));
    return false;
  }
  if (!report_->first_record_prev) report_->first_record_prev = h.prev;
  return true;
}

void Walker::copy_out(uint32_t from, uint32_t count, std::byte* dst) const {
  uint64_t logical = 0;
  for (const Piece& piece : pieces_) {
    if (count == 0) return;
    uint64_t end = logical + piece.length;
    if (from < end) {
      uint64_t skip = from - logical;
      uint32_t take = static_cast<uint32_t>(std::min<uint64_t>(count, piece.length - skip));
      std::memcpy(dst, in_.file.data() + piece.offset + skip, take);
      dst += take;
      from += take;
      count -= take;
    }
    logical = end;
  }
}

// Gathers the pieces of the record at `offset`, checking each continuation page. Sets
// *continues when the record runs past the end of the file. False when WAL ended.
bool Walker::gather(uint64_t offset, uint32_t tot_len, Lsn lsn, std::optional<RecordHeader>* header,
                    bool* continues) {
  pieces_.clear();
  uint64_t page = page_start(offset);
  uint32_t gathered =
      static_cast<uint32_t>(std::min<uint64_t>(page + in_.page_size - offset, tot_len));
  pieces_.push_back(Piece{offset, gathered});
  auto header_ready = [&]() -> bool {
    if (*header || gathered < kRecordHeaderSize) return true;
    if (pieces_.front().length >= kRecordHeaderSize) {
      header_ptr_ = in_.file.data() + pieces_.front().offset;
    } else {
      copy_out(0, kRecordHeaderSize, header_bytes_.data());
      header_ptr_ = header_bytes_.data();
    }
    *header = parse_record_header(header_ptr_);
    return check_header(**header, lsn, offset);
  };
  if (!header_ready()) return false;
  while (gathered < tot_len) {
    page += in_.page_size;
    if (page >= in_.file.size()) {
      *continues = true;
      report_->continued_record_lsn = lsn;
      report_->continued_remaining = tot_len - gathered;
      return true;
    }
    std::optional<PageHeader> h = enter_page(page / in_.page_size);
    if (!h) return false;
    if (h->info & kFirstIsOverwriteContRecord) {
      report_->add(Severity::kInfo, "ABANDONED_RECORD", offset, lsn,
                   "record at " + format_lsn(lsn) + " was abandoned; its continuation at " +
                       format_lsn(lsn_at(page)) + " was overwritten");
      abandoned_lsn_ = lsn;
      abandoned_prev_ = *header ? std::optional<Lsn>((*header)->prev) : std::nullopt;
      expect_overwrite_record_ = true;
      pos_ = page + h->size();
      return false;
    }
    uint32_t want = tot_len - gathered;
    if (!(h->info & kFirstIsContRecord)) {
      stop("CONTRECORD_MISSING", page, lsn_at(page),
           "there is no contrecord flag at " + format_lsn(lsn_at(page)));
      return false;
    }
    if (h->rem_len != want) {
      stop("CONTRECORD_LENGTH", page, lsn_at(page),
           printf_string("invalid contrecord length %u (expected %u) at %s", h->rem_len, want,
                         format_lsn(lsn_at(page)).c_str()));
      return false;
    }
    uint32_t take = std::min<uint32_t>(want, in_.page_size - h->size());
    pieces_.push_back(Piece{page + h->size(), take});
    gathered += take;
    if (!header_ready()) return false;
  }
  return true;
}

uint32_t Walker::record_crc() const {
  uint32_t reg = crc32c::kInit;
  uint64_t logical = 0;
  for (const Piece& piece : pieces_) {
    uint64_t skip = logical >= kRecordHeaderSize
                        ? 0
                        : std::min<uint64_t>(kRecordHeaderSize - logical, piece.length);
    reg = crc32c::extend(reg, in_.file.subspan(piece.offset + skip, piece.length - skip));
    logical += piece.length;
  }
  reg = crc32c::extend(reg, Bytes(header_ptr_, kRecordCrcOffset));
  return crc32c::finish(reg);
}

Walker::Step Walker::read_record() {
  const uint64_t offset = pos_;
  const Lsn lsn = lsn_at(offset);
  const uint32_t tot_len = load_le<uint32_t>(in_.file.data() + offset);
  if (tot_len < kRecordHeaderSize) {
    stop(tot_len == 0 ? "RECORD_LEN_ZERO" : "RECORD_LEN_SHORT", offset, lsn,
         printf_string("invalid record length at %s: expected at least %u, got %u",
                       format_lsn(lsn).c_str(), kRecordHeaderSize, tot_len));
    return Step::kStop;
  }
  std::optional<RecordHeader> header;
  bool continues = false;
  if (!gather(offset, tot_len, lsn, &header, &continues)) {
    // An overwritten continuation resumes the walk at the overwrite page.
    return stopped_ ? Step::kStop : Step::kNext;
  }
  if (continues) {
    report_->add(
        Severity::kInfo, "CONT_NEXT_SEGMENT", offset, lsn,
        printf_string("record at %s continues in the next segment (%llu of %u bytes "
                      "here)",
                      format_lsn(lsn).c_str(),
                      static_cast<unsigned long long>(tot_len - report_->continued_remaining),
                      tot_len));
    pos_ = in_.file.size();
    return Step::kStop;
  }
  const Piece& last = pieces_.back();
  const uint64_t end = last.offset + last.length;
  if (in_.check_record_crc && record_crc() != header->crc) {
    stop("CRC_MISMATCH", offset, lsn,
         "incorrect resource manager data checksum in record at " + format_lsn(lsn), maxalign(end));
    return Step::kStop;
  }
  Bytes head;
  uint32_t head_len = std::min<uint32_t>(tot_len, kMaxRecordHeadersSize);
  if (pieces_.front().length >= head_len) {
    head = in_.file.subspan(offset, head_len);
  } else {
    copy_out(0, head_len, head_buf_.data());
    head = Bytes(head_buf_.data(), head_len);
  }
  BodyLayout layout;
  BodyProblem body =
      decode_record_body(head, tot_len, *in_.version, in_.data_block_size, lsn, &layout);
  if (body.code != nullptr) {
    stop(body.code, offset, lsn, std::move(body.message), maxalign(end));
    return Step::kStop;
  }
  note_record(*header, lsn, layout);
  if (stopped_) return Step::kStop;
  report_->end_lsn = lsn_at(maxalign(end));
  if (header->rmid == kRmXlog && (header->info & 0xF0) == kXlogSwitch) {
    report_->ends_with_switch = true;
    check_switch_tail(maxalign(end));
    return Step::kStop;
  }
  pos_ = maxalign(end);
  return Step::kNext;
}

void Walker::note_record(const RecordHeader& h, Lsn lsn, const BodyLayout& layout) {
  if (report_->record_count == 0) report_->first_record_lsn = lsn;
  ++report_->record_count;
  report_->last_record_lsn = lsn;
  prev_lsn_ = lsn;
  if (h.rmid == kRmXact && layout.main_data_len >= sizeof(int64_t)) {
    uint8_t op = h.info & kXactOpMask;
    if (op == kXactCommit || op == kXactAbort || op == kXactCommitPrepared ||
        op == kXactAbortPrepared) {
      std::byte ts[sizeof(int64_t)];
      copy_out(layout.main_data_offset, sizeof ts, ts);
      PgTimestamp t = load_le<int64_t>(ts);
      if (!report_->first_commit_time) report_->first_commit_time = t;
      report_->last_commit_time = t;
    }
  }
  if (h.rmid == kRmXlog && (h.info & 0xF0) == kXlogOverwriteContRecord) {
    std::byte raw[sizeof(Lsn)] = {};
    if (layout.main_data_len >= sizeof raw) copy_out(layout.main_data_offset, sizeof raw, raw);
    Lsn overwritten = load_le<Lsn>(raw);
    if (abandoned_lsn_ && overwritten != *abandoned_lsn_) {
      stop("OVERWRITE_RECORD", pos_, lsn,
           "mismatching overwritten LSN " + format_lsn(*abandoned_lsn_) + " -> " +
               format_lsn(overwritten));
      return;
    }
    if (!abandoned_lsn_) report_->overwritten_lsn = overwritten;
  }
  expect_overwrite_record_ = false;
  abandoned_lsn_.reset();
  abandoned_prev_.reset();
}

// After XLOG_SWITCH the rest of the segment is padding (docs/wal-format.md §7.2).
void Walker::check_switch_tail(uint64_t after) {
  const std::byte* data = in_.file.data();
  const uint64_t size = in_.file.size();
  if (in_.version->zeroed_switch_tail) {
    uint64_t i = after + first_nonzero(in_.file.subspan(after));
    if (i < size)
      report_->add(Severity::kWarning, "SWITCH_TAIL", i, lsn_at(i),
                   printf_string("non-zero byte after XLOG_SWITCH at offset %llu",
                                 static_cast<unsigned long long>(i)));
    return;
  }
  for (uint64_t page = page_start(after) / in_.page_size + 1; page < page_count_; ++page) {
    uint64_t offset = page * in_.page_size;
    std::optional<PageHeader> h = parse_page_header(in_.file.subspan(offset, in_.page_size));
    bool ok = h && h->magic == in_.version->magic && h->pageaddr == lsn_at(offset) &&
              std::all_of(data + offset + h->size(), data + offset + in_.page_size,
                          [](std::byte b) { return b == std::byte{0}; });
    if (!ok) {
      report_->add(Severity::kWarning, "SWITCH_TAIL", offset, lsn_at(offset),
                   "page after XLOG_SWITCH is not an empty WAL page");
      return;
    }
  }
}

bool Walker::valid_page_follows(uint64_t page_index) const {
  for (uint64_t page = page_index + 1; page < page_count_; ++page) {
    uint64_t offset = page * in_.page_size;
    std::optional<PageHeader> h = parse_page_header(in_.file.subspan(offset, in_.page_size));
    if (h && h->magic == in_.version->magic && h->pageaddr == lsn_at(offset) &&
        (h->info & ~in_.version->info_mask) == 0)
      return true;
  }
  return false;
}

// Where valid WAL ends. In an archived full segment that is an error: PostgreSQL archives only
// complete segments. In an open-ended file it is expected, unless valid pages follow.
bool Walker::record_links_back(uint64_t pos, Lsn prev) const {
  if (pos >= in_.file.size()) return false;
  if (pos % in_.page_size == 0) {
    std::optional<PageHeader> h = parse_page_header(in_.file.subspan(pos, in_.page_size));
    if (!h || h->magic != in_.version->magic || h->pageaddr != lsn_at(pos) ||
        (h->info & kFirstIsContRecord))
      return false;
    pos += h->size();
  }
  // xl_tot_len and xl_prev must both lie on this page to be read without gathering.
  if (page_start(pos) + in_.page_size - pos < 16) return false;
  uint32_t tot_len = load_le<uint32_t>(in_.file.data() + pos);
  Lsn link = load_le<Lsn>(in_.file.data() + pos + 8);
  return tot_len >= kRecordHeaderSize && link == prev;
}

void Walker::stop(const char* code, uint64_t offset, Lsn lsn, std::string message,
                  std::optional<uint64_t> next_record) {
  stopped_ = true;
  report_->end_of_wal = message;
  if (!report_->open_end) {
    report_->add(Severity::kError, code, offset, lsn, std::move(message));
    return;
  }
  uint64_t page = offset / in_.page_size;
  if ((next_record && record_links_back(*next_record, lsn)) || valid_page_follows(page)) {
    report_->add(Severity::kError, code, offset, lsn,
                 message + "; valid WAL pages follow, so this is corruption, not the end of WAL");
    return;
  }
  report_->add(Severity::kInfo, "END_OF_WAL", offset, lsn, "end of WAL: " + message);
}

}  // namespace

void walk_records(const WalkInput& input, SegmentReport* report) {
  Walker walker(input, report);
  walker.run();
}

}  // namespace walpipe::wal
