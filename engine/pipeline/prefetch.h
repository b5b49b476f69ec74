// The restore-side mirror of look-ahead push: a spool beside DEST holding the next segments of
// the timeline being recovered, each complete and checked, so PostgreSQL's next restore_command
// is served by a rename. Names in the spool are final names only once a file passed every check
// of get_file; anything else there is a temporary that is never served.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/store.h"
#include "base/status.h"
#include "io/io.h"
#include "wal/names.h"

namespace walpipe::pipeline {

// The spool used for DEST: a folder beside it, so that serving is a rename on one filesystem.
std::string default_spool_dir(const std::string& dest);

// The folder in `spool` that holds the last file serve_recorded served and its record: a spool
// of its own, which no prefetcher writes in and remove_spool removes with the rest.
std::string served_copy_dir(const std::string& spool);

// Creates the spool with a marker file, or checks that an existing folder carries the marker.
// A folder walpipe did not create (pg_wal itself, a data directory) is never used as a spool:
// pruning deletes files in it.
Status prepare_spool(io::Io& io, const std::string& spool);
bool is_spool(const std::string& spool);

// The lock file the one prefetcher of `spool` holds while it works.
std::string spool_lock_path(const std::string& spool);

// Removes the spool for good (recovery is over): first its marker, after which no prefetcher
// names anything more in it and no get starts one; then, once `wait_for_prefetcher` says the one
// at work (if any) has stopped, everything in it and the folder. A folder that is not a spool is
// left as it is (kInvalidArgument); one without its marker but holding only what a spool holds
// is a removal that did not finish, and is finished. A spool that does not exist is removed.
Status remove_spool(io::Io& io, const std::string& spool,
                    const std::function<Status()>& wait_for_prefetcher);

// Moves the spooled `name` to `dest` if its content is what the archive holds under that name
// now (same XXH3-128 as the object's metadata): a spool copied from another recovery or another
// cluster is never served. false when not served; the caller then fetches from the archive.
bool serve_from_spool(io::Io& io, archive::Store& store, const std::string& spool,
                      const wal::WalFileName& name, const std::string& dest);

// serve_from_spool without a request to the archive, from the record the prefetcher left beside
// the file (pipeline/spool_record.h), for restore_command run in `data_dir` on the archive at
// `archive` (its Store::location()). false when there is no such record, when it names another
// archive, or another cluster than pg_control does: the caller then asks the archive. When
// served, `unchecked` says why the cluster could not be compared, as check_cluster does.
// The file served last also keeps a second name in served_copy_dir(spool), from where it is
// served once more the same way: when recovery ends, PostgreSQL reads the last segment it
// replayed again (to start the new timeline), and that request would otherwise go to the archive.
bool serve_recorded(io::Io& io, const std::string& archive, const std::string& data_dir,
                    const std::string& spool, const wal::WalFileName& name, const std::string& dest,
                    std::string* unchecked);

// The `count` segments after `name` on its timeline, in order.
std::vector<wal::WalFileName> next_segments(const wal::WalFileName& name, uint64_t segment_size,
                                            size_t count);

// Waits (polling, at most `idle_ms`) until recovery has taken `wanted`'s first file from the spool,
// and returns the last of those it has taken, in order, by then: the prefetcher then moves its
// window on. nullopt when none was taken in time, or when the spool is being removed.
std::optional<wal::WalFileName> wait_until_taken(const std::string& spool,
                                                 const std::vector<wal::WalFileName>& wanted,
                                                 int idle_ms);

// Removes from the spool every file that is not one of `wanted` (consumed, another timeline, a
// gap), and every temporary left by a killed prefetcher.
void prune_spool(io::Io& io, const std::string& spool, const std::vector<wal::WalFileName>& wanted);

// Fetches each of `wanted` that is not spooled yet, oldest first, through get_file into a
// temporary and then its final name, with its record (spool_record.h) first, `parallel` files at
// a time with one core each: a restore has serial steps (the checks after decompression), and
// whole files side by side keep every core busy. A spooled file whose record names another
// archive or another walpipe.json than the archive has now is fetched again. No file is started
// after one that the archive does not hold or that fails (a full spool disk stops prefetching,
// never recovery). true when every one of `wanted` was spooled.
bool fill_spool(const io::IoFactory& make_io, const archive::Store& archive,
                const std::string& spool, const std::vector<wal::WalFileName>& wanted,
                unsigned parallel);

// fill_spool again and again with the same I/O and archive handles (their connections), one per
// file fetched at once: what a prefetcher that moves its window on along recovery uses.
class SpoolFiller {
 public:
  SpoolFiller(const io::IoFactory& make_io, const archive::Store& archive, unsigned parallel);
  ~SpoolFiller();
  // fill_spool's work and answer.
  bool fill(const std::string& spool, const std::vector<wal::WalFileName>& wanted);

 private:
  struct Lane;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace walpipe::pipeline
