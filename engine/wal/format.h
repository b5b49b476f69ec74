// On-disk constants of PostgreSQL WAL (docs/wal-format.md §3–§5) and what differs per version.
#pragma once

#include <cstdint>
#include <optional>

namespace walpipe::wal {

inline constexpr uint32_t kShortPageHeaderSize = 24;
inline constexpr uint32_t kLongPageHeaderSize = 40;
inline constexpr uint32_t kRecordHeaderSize = 24;
inline constexpr uint32_t kRecordCrcOffset = 20;
inline constexpr uint32_t kMaxRecordSize = 1020u * 1024 * 1024;  // XLogRecordMaxSize (PG 16+)

// xlp_info bits.
inline constexpr uint16_t kFirstIsContRecord = 0x0001;
inline constexpr uint16_t kLongHeader = 0x0002;
inline constexpr uint16_t kFirstIsOverwriteContRecord = 0x0008;

// Resource managers and record types the walker interprets.
inline constexpr uint8_t kRmXlog = 0;
inline constexpr uint8_t kRmXact = 1;
inline constexpr uint8_t kXlogSwitch = 0x40;
inline constexpr uint8_t kXlogOverwriteContRecord = 0xD0;
inline constexpr uint8_t kXactOpMask = 0x70;
inline constexpr uint8_t kXactCommit = 0x00;
inline constexpr uint8_t kXactAbort = 0x20;
inline constexpr uint8_t kXactCommitPrepared = 0x30;
inline constexpr uint8_t kXactAbortPrepared = 0x40;

// Fragment ids inside a record body (§5).
inline constexpr uint8_t kMaxBlockId = 32;
inline constexpr uint8_t kBlockIdDataShort = 255;
inline constexpr uint8_t kBlockIdDataLong = 254;
inline constexpr uint8_t kBlockIdOrigin = 253;
inline constexpr uint8_t kBlockIdToplevelXid = 252;
inline constexpr uint8_t kBkpBlockForkMask = 0x0F;
inline constexpr uint8_t kBkpBlockHasImage = 0x10;
inline constexpr uint8_t kBkpBlockHasData = 0x20;
inline constexpr uint8_t kBkpBlockSameRel = 0x80;
inline constexpr uint8_t kBkpImageHasHole = 0x01;

// Data page size BLCKSZ: not recorded in WAL; needed only for full-page-image sanity checks.
inline constexpr uint32_t kDefaultDataBlockSize = 8192;

// What a page magic tells about the server that wrote the WAL.
struct VersionInfo {
  uint16_t magic;
  int major;                   // 95 for 9.5, 96 for 9.6, else the major number (10 … 18)
  uint16_t info_mask;          // XLP_ALL_FLAGS
  uint8_t max_builtin_rmid;    // last built-in resource manager id
  bool custom_rmgrs;           // 128–255 accepted (15+)
  bool zeroed_switch_tail;     // pages after XLOG_SWITCH are all zero (11+)
  bool toplevel_xid_block;     // XLR_BLOCK_ID_TOPLEVEL_XID exists (14+)
  uint8_t bimg_compress_mask;  // bimg_info bits meaning "compressed"
};

// nullopt for a magic walpipe does not know (9.4 and older, 19-devel, garbage).
std::optional<VersionInfo> version_for_magic(uint16_t magic);

// "9.6", "15", … for messages.
const char* version_name(const VersionInfo& version);

}  // namespace walpipe::wal
