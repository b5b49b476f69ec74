#include "pipeline/prefetch.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <thread>

#include "base/worker_pool.h"
#include "codec/fingerprint.h"
#include "io/fs.h"
#include "pipeline/get.h"
#include "pipeline/spool_record.h"

namespace walpipe::pipeline {

namespace {
constexpr std::string_view kTempPrefix = ".fetching.";
constexpr std::string_view kMarker = ".walpipe-spool";
constexpr std::string_view kLockName = "prefetch.lock";
constexpr std::string_view kServedName = ".served";

// What a prefetcher writes: segments under their names, their records, and its temporaries.
bool prefetcher_file(const std::string& name) {
  Result<wal::WalFileName> parsed = wal::parse_file_name(name);
  return (parsed.is_ok() && parsed->kind == wal::FileKind::kSegment) ||
         name.starts_with(kTempPrefix) || is_spool_record(name);
}

// Makes the folder `keep` a spool holding a second name of the spooled `name` and of its record,
// and nothing else. Best effort: without them the next request for `name` goes to the archive.
void keep_served(io::Io& io, const std::string& spool, const wal::WalFileName& name,
                 const std::string& keep) {
  if (!prepare_spool(io, keep).is_ok()) return;
  Result<std::vector<io::DirEntry>> entries = io::list_directory(keep);
  if (!entries.is_ok()) return;
  for (const io::DirEntry& e : *entries) {
    if (e.type != io::EntryType::kFile || !prefetcher_file(e.name)) continue;
    if (!io.unlink(keep + "/" + e.name).is_ok()) return;
  }
  // The record first, as the prefetcher names them: a file there never lacks its record.
  if (!io.link(spool_record_path(spool, name), spool_record_path(keep, name)).is_ok()) return;
  Status linked = io.link(spool + "/" + name.to_string(), keep + "/" + name.to_string());
  (void)linked;  // a record without its file serves nothing
}

// The XXH3-128 of the file's `size` bytes, read a piece at a time into a buffer that stays in the
// CPU's cache. This check is on PostgreSQL's path for every segment served from the spool:
// through a mapping, faulting in the 4,096 pages of a 16 MiB segment and unmapping them took
// 8.3 ms here, reading it 1.2 ms.
Result<Fingerprint> fingerprint_of_file(io::Io& io, const io::Fd& fd, uint64_t size,
                                        const std::string& path) {
  constexpr uint64_t kPiece = 256 * 1024;
  auto piece = std::make_unique_for_overwrite<std::byte[]>(kPiece);
  FingerprintStream stream;
  for (uint64_t at = 0; at < size;) {
    const size_t length = static_cast<size_t>(std::min(kPiece, size - at));
    WALPIPE_TRY(io.read_exact(fd, at, std::span<std::byte>(piece.get(), length), path));
    stream.update(Bytes(piece.get(), length));
    at += length;
  }
  return stream.digest();
}

// Moves the spooled file to `dest` if it has `size` bytes whose XXH3-128 is `fingerprint`,
// keeping a second name of it and its record in `keep` unless that is empty; removes it (and its
// record) when it does not match, since it can never be served then.
bool move_if_matching(io::Io& io, const std::string& spool, const wal::WalFileName& name,
                      uint64_t size, const Fingerprint& fingerprint, const std::string& dest,
                      const std::string& keep) {
  const std::string spooled = spool + "/" + name.to_string();
  {
    Result<io::Fd> fd = io.open(spooled, O_RDONLY, 0);
    if (!fd.is_ok()) return false;
    Result<uint64_t> actual = io::file_size(*fd, spooled);
    if (!actual.is_ok() || *actual != size) return false;
    Result<Fingerprint> read = fingerprint_of_file(io, *fd, *actual, spooled);
    if (!read.is_ok() || *read != fingerprint) {
      Status removed = io.unlink(spooled);
      removed = io.unlink(spool_record_path(spool, name));
      (void)removed;  // never served either way
      return false;
    }
  }
  if (!keep.empty()) keep_served(io, spool, name, keep);
  // DEST may exist (a leftover RECOVERYXLOG): it is replaced, as a fresh fetch would.
  Status unlinked = io.unlink(dest);
  (void)unlinked;
  if (!io.rename_noreplace(spooled, dest).is_ok()) return false;
  unlinked = io.unlink(spool_record_path(spool, name));
  (void)unlinked;  // a record without its file serves nothing, and the next prune takes it
  return true;
}

// Whether the spooled `name` came from another archive than `store`, or from this one while its
// walpipe.json said something else than it does now (which the next call must hear of from the
// archive, not from the spool). A file without a record is served only after asking the archive.
bool recorded_otherwise(io::Io& io, archive::Store& store, const std::string& spool,
                        const wal::WalFileName& name) {
  std::optional<SpoolRecord> record = read_spool_record(io, spool, name);
  if (!record) return false;
  if (record->archive != store.location()) return true;
  Result<std::optional<archive::Identity>> now = store.load_identity();
  return now.is_ok() && (!*now || **now != record->identity);
}

// Anything a spool may hold: what its prefetcher writes, its lock and its marker, and the folder
// of the last segment served.
bool spool_entry(const io::DirEntry& e) {
  if (e.type == io::EntryType::kDirectory) return e.name == kServedName;
  return e.type == io::EntryType::kFile &&
         (prefetcher_file(e.name) || e.name == kLockName || e.name == kMarker);
}

bool serve_recorded_from(io::Io& io, const std::string& archive, const std::string& data_dir,
                         const std::string& spool, const wal::WalFileName& name,
                         const std::string& dest, const std::string& keep, std::string* unchecked) {
  if (!is_spool(spool) || !io::entry_type(spool + "/" + name.to_string()).is_ok()) return false;
  std::optional<SpoolRecord> record = read_spool_record(io, spool, name);
  if (!record || record->archive != archive) return false;
  std::string not_compared;
  if (!check_cluster_with(record->identity, archive, data_dir, &not_compared).is_ok()) return false;
  if (!move_if_matching(io, spool, name, record->size, record->fingerprint, dest, keep))
    return false;
  *unchecked = not_compared;
  return true;
}
}  // namespace

Status prepare_spool(io::Io& io, const std::string& spool) {
  bool created = false;
  WALPIPE_TRY(io.mkdir(spool, 0700, &created));
  if (created) {
    WALPIPE_ASSIGN_OR_RETURN(io::Fd fd,
                             io.open(spool + "/" + std::string(kMarker), O_WRONLY | O_CREAT, 0600));
    WALPIPE_TRY(io.close(fd, spool));
  }
  if (!is_spool(spool))
    return Status(Code::kInvalidArgument, "\"" + spool + "\" is not a walpipe prefetch spool");
  return Status::ok();
}

bool is_spool(const std::string& spool) {
  return io::entry_type(spool + "/" + std::string(kMarker)).is_ok();
}

std::string spool_lock_path(const std::string& spool) {
  return spool + "/" + std::string(kLockName);
}

Status remove_spool(io::Io& io, const std::string& spool,
                    const std::function<Status()>& wait_for_prefetcher) {
  Result<std::vector<io::DirEntry>> entries = io::list_directory(spool);
  if (!entries.is_ok())
    return entries.status().code() == Code::kNotFound ? Status::ok()
                                                      : std::move(entries).take_status();
  for (const io::DirEntry& e : *entries) {
    if (!spool_entry(e))
      return Status(Code::kInvalidArgument, "\"" + spool +
                                                "\" is not a walpipe prefetch spool: it holds \"" +
                                                e.name + "\", which walpipe did not put there")
          .with_hint("Nothing was removed.");
  }
  // The marker goes first: from then on no file gets its name in the folder.
  if (is_spool(spool)) WALPIPE_TRY(io.unlink(spool + "/" + std::string(kMarker)));
  WALPIPE_TRY(wait_for_prefetcher());
  // The last segment served, a spool of its own that no prefetcher writes in.
  WALPIPE_TRY(remove_spool(io, served_copy_dir(spool), [] { return Status::ok(); }));
  entries = io::list_directory(spool);
  if (!entries.is_ok()) return std::move(entries).take_status();
  for (const io::DirEntry& e : *entries) {
    if (!spool_entry(e)) continue;  // not ours: the folder then stays, and rmdir says why
    Status removed = io.unlink(spool + "/" + e.name);
    if (!removed.is_ok() && removed.code() != Code::kNotFound) return removed;
  }
  return io::remove_directory(spool);
}

std::string default_spool_dir(const std::string& dest) {
  return io::dir_name(dest) + "/walpipe_prefetch";
}

std::string served_copy_dir(const std::string& spool) {
  return spool + "/" + std::string(kServedName);
}

bool serve_from_spool(io::Io& io, archive::Store& store, const std::string& spool,
                      const wal::WalFileName& name, const std::string& dest) {
  const std::string spooled = spool + "/" + name.to_string();
  if (!is_spool(spool) || !io::entry_type(spooled).is_ok()) return false;
  Result<archive::ObjectMetadata> meta = store.head(name);
  if (!meta.is_ok()) return false;
  return move_if_matching(io, spool, name, meta->original_size, meta->fingerprint, dest, "");
}

// The record stands in for the object's metadata frame, which serve_from_spool reads from the
// archive: both give the size and XXH3-128 the served bytes must have, and the bytes are held to
// them here just the same, so a spooled file torn by a crash (spooled files are not synced: the
// prefetcher fetches again) or put there by anyone else is never served. The prefetcher wrote
// the record only after get_file had passed every check on these bytes (headers against the
// name, the archive's system identifier, the fingerprint), reading the archive named by the
// record. What the record cannot tell is whether the archive still holds the object now. No
// store replaces an object (a folder only supersedes one stored with --no-verify that failed
// validation, which get_file never spools), so at worst it was removed since (expire, or by
// hand) and this serves WAL of this cluster that a get moments earlier would have restored.
// Another archive named now (the record's location differs), or a data directory of another
// cluster (the record's walpipe.json against pg_control, as check_cluster compares the archive's)
// is never served this way: the caller then asks the archive as before.
bool serve_recorded(io::Io& io, const std::string& archive, const std::string& data_dir,
                    const std::string& spool, const wal::WalFileName& name, const std::string& dest,
                    std::string* unchecked) {
  return serve_recorded_from(io, archive, data_dir, spool, name, dest, served_copy_dir(spool),
                             unchecked) ||
         serve_recorded_from(io, archive, data_dir, served_copy_dir(spool), name, dest, "",
                             unchecked);
}

std::vector<wal::WalFileName> next_segments(const wal::WalFileName& name, uint64_t segment_size,
                                            size_t count) {
  std::vector<wal::WalFileName> out;
  std::optional<wal::SegNo> segno = wal::segno_of(name, segment_size);
  if (!segno || name.kind != wal::FileKind::kSegment) return out;
  for (size_t i = 1; i <= count; ++i)
    out.push_back(wal::segment_file_name(name.tli, *segno + i, segment_size));
  return out;
}

void prune_spool(io::Io& io, const std::string& spool,
                 const std::vector<wal::WalFileName>& wanted) {
  if (!is_spool(spool)) return;
  Result<std::vector<io::DirEntry>> entries = io::list_directory(spool);
  if (!entries.is_ok()) return;
  for (const io::DirEntry& e : *entries) {
    if (e.type != io::EntryType::kFile || !prefetcher_file(e.name)) continue;
    const std::string about = is_spool_record(e.name) ? spooled_name_of_record(e.name) : e.name;
    bool keep = std::any_of(wanted.begin(), wanted.end(),
                            [&](const wal::WalFileName& w) { return w.to_string() == about; });
    if (!keep) {
      Status removed = io.unlink(spool + "/" + e.name);
      (void)removed;  // a file that cannot be removed is never served: names are checked first
    }
  }
}

struct SpoolFiller::Lane {
  std::unique_ptr<io::Io> io;
  std::unique_ptr<archive::Store> store;
};

SpoolFiller::SpoolFiller(const io::IoFactory& make_io, const archive::Store& archive,
                         unsigned parallel) {
  for (unsigned i = 0; i < std::max(1u, parallel); ++i) {
    auto lane = std::make_unique<Lane>();
    lane->io = make_io();
    lane->store = archive.open_again(*lane->io);
    lanes_.push_back(std::move(lane));
  }
}

SpoolFiller::~SpoolFiller() = default;

bool SpoolFiller::fill(const std::string& spool, const std::vector<wal::WalFileName>& wanted) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> next_lane{0};
  std::atomic<bool> stopped{false};
  auto worker = [&] {
    Lane& lane = *lanes_[next_lane++];
    io::Io& io = *lane.io;
    archive::Store& store = *lane.store;
    GetOptions one_core;
    one_core.threads = 1;
    for (size_t i = next++; i < wanted.size() && !stopped; i = next++) {
      const wal::WalFileName& name = wanted[i];
      const std::string final_path = spool + "/" + name.to_string();
      if (io::entry_type(final_path).is_ok()) {
        if (!recorded_otherwise(io, store, spool, name)) continue;
        Status removed = io.unlink(final_path);
        if (!removed.is_ok()) continue;  // then it is never served: its record says otherwise
      }
      const std::string suffix = name.to_string() + "." + std::to_string(::getpid());
      const std::string temp = spool + "/" + std::string(kTempPrefix) + suffix;
      Result<GetResult> got = get_file(io, store, name.to_string(), temp, one_core);
      bool named = got.is_ok();
      if (named) {
        // The identity get_file held the file to, read by it already. An archive without one
        // (objects copied in by hand) has its files spooled without a record.
        Result<std::optional<archive::Identity>> identity = store.load_identity();
        const std::string record_temp =
            spool + "/" + std::string(kTempPrefix) + "checked." + suffix;
        named = identity.is_ok() &&
                (!*identity || write_spool_record(io, spool, name, record_temp,
                                                  SpoolRecord{store.location(), **identity,
                                                              got->fingerprint, got->original_size})
                                   .is_ok());
      }
      // A spool whose marker is gone is being removed (recovery_end_command): nothing more is
      // named in it, and what this worker wrote goes, so that the removal can finish.
      if (!named || !is_spool(spool) || !io.rename_noreplace(temp, final_path).is_ok()) {
        Status removed = io.unlink(temp);
        removed = io.unlink(spool_record_path(spool, name));
        (void)removed;
        stopped = true;
      }
    }
  };
  TaskGroup group;
  const Status filled = run_on_threads(group, static_cast<unsigned>(lanes_.size()), [&] {
    worker();
    return Status::ok();
  });
  WALPIPE_CHECK(filled.is_ok());  // a file that could not be spooled is just fetched later
  return !stopped;
}

bool fill_spool(const io::IoFactory& make_io, const archive::Store& archive,
                const std::string& spool, const std::vector<wal::WalFileName>& wanted,
                unsigned parallel) {
  return SpoolFiller(make_io, archive, parallel).fill(spool, wanted);
}

std::optional<wal::WalFileName> wait_until_taken(const std::string& spool,
                                                 const std::vector<wal::WalFileName>& wanted,
                                                 int idle_ms) {
  constexpr int kPollMs = 20;
  auto spooled = [&](const wal::WalFileName& name) {
    return io::entry_type(spool + "/" + name.to_string()).is_ok();
  };
  for (int waited = 0; waited <= idle_ms && is_spool(spool); waited += kPollMs) {
    size_t taken = 0;
    while (taken < wanted.size() && !spooled(wanted[taken])) ++taken;
    if (taken > 0) return wanted[taken - 1];
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
  return std::nullopt;
}

}  // namespace walpipe::pipeline
