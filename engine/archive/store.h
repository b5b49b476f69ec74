// The archive as a set of named objects, whatever holds them. The pipeline and the tools talk to
// a Store, never to a folder: a local folder (local/local_store.h) is the first implementation;
// an object store with one conditional PUT per object and ranged GETs fits the same calls.
//
// Objects are named by the WAL file they hold. Their keys, relative to the archive's root, are
// those of docs/object-format.md: "wal/<first 16 hex of name>/<name>.zst", and "wal/<name>.zst"
// for .history files; listing is in key order, which is the order of WAL.
//
// A Store handle is used by one thread at a time; open_again() gives another thread its own.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/identity.h"
#include "archive/object.h"
#include "base/bytes.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/fs.h"
#include "io/io.h"
#include "io/space.h"
#include "wal/names.h"

namespace walpipe::archive {

enum class CommitOutcome { kWritten, kAlreadyPresent, kSuperseded };

// A whole stored object: mapped from a file, or received into memory.
class StoredObject {
 public:
  explicit StoredObject(io::MappedFile mapped) : mapped_(std::move(mapped)) {}
  explicit StoredObject(std::vector<std::byte> owned) : owned_(std::move(owned)) {}
  Bytes bytes() const { return owned_.empty() ? mapped_.bytes() : Bytes(owned_); }

 private:
  io::MappedFile mapped_;
  std::vector<std::byte> owned_;
};

struct ObjectEntry {
  std::string key;        // relative to the archive's root, as in the header comment
  wal::WalFileName name;  // the WAL file it holds, from its key
  uint64_t size = 0;      // the stored object's bytes
};

// One object being stored. Destroyed before a successful commit, it leaves nothing under the
// object's name (a local store removes its temporary file).
class ObjectUpload {
 public:
  virtual ~ObjectUpload() = default;
  // Bytes of the object known before the rest of it (4096-aligned in address, offset and size),
  // given in increasing offsets while the rest is still being produced. A store that writes as
  // it goes writes them now; one that sends an object in one request keeps nothing.
  virtual Status write_early(uint64_t offset, Bytes piece) = 0;
  // The complete object (its metadata frame first, 4096-aligned in address and size), `meta`
  // being what it records. Durable under its name before kWritten, never replacing anything
  // but an object stored with --no-verify that failed validation when `meta` passed it
  // (kSuperseded); the name taken by the same fingerprint is kAlreadyPresent, by another one
  // kMismatch as Store::confirm words it.
  virtual Result<CommitOutcome> commit(Bytes object, const ObjectMetadata& meta) = 0;
  // After kSuperseded: where the replaced object is kept.
  virtual std::string superseded() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The archive as an operator names it (a folder's path, s3://bucket/prefix), for messages.
  virtual const std::string& location() const = 0;
  // Where the object for `name` is, in the same form: what messages about one object name.
  virtual std::string object_location(const wal::WalFileName& name) const = 0;
  // Another handle on this archive, for another thread, whose local file I/O goes through `io`.
  virtual std::unique_ptr<Store> open_again(io::Io& io) const = 0;

  // Ok when the archive's location can be reached at all; otherwise kIoError saying why.
  virtual Status check_reachable() = 0;
  // Whether the location holds a walpipe archive (an identity or any object): a reachable but
  // empty location is an unmounted disk or a wrong path as often as a new archive.
  virtual Result<bool> holds_archive() = 0;

  // The archive's identity, or nullopt when none has been written yet.
  virtual Result<std::optional<Identity>> load_identity() = 0;
  // Writes `mine` as the identity when there is none (durably, never replacing a racing writer's,
  // which is then compared); an archive of another cluster is kMismatch naming both.
  virtual Status create_identity(const Identity& mine) = 0;

  // Everything a put of `name` needs that does not depend on its content (folders), done while
  // the content is still being produced; also clears what killed writers left behind.
  virtual Status prepare(const wal::WalFileName& name) = 0;
  // Whether anything is stored under `name`, whatever it holds.
  virtual Result<bool> contains(const wal::WalFileName& name) = 0;
  // The object's metadata frame alone (kNotFound when nothing is stored under `name`).
  virtual Result<ObjectMetadata> head(const wal::WalFileName& name) = 0;
  // kAlreadyPresent (made durable) when `name` is stored with fingerprint `mine`, kNotFound when
  // nothing is stored under it, kMismatch when different content is (saying so when it was
  // stored with --no-verify, and why it failed validation).
  virtual Result<CommitOutcome> confirm(const wal::WalFileName& name, const Fingerprint& mine) = 0;
  // What is stored under `name`, found by a retried put that another layer judged identical
  // (archive/encrypted_store.h), may be the leftover of a crash between its rename and its
  // folder's fsync: this makes it durable. A store whose objects are durable once they can be
  // seen keeps this default.
  virtual Status make_durable(const wal::WalFileName&) { return Status::ok(); }
  // The whole object; kNotFound only when the store says nothing is stored under `name`;
  // kCorruption "it is too large" when it holds more than `max_size` bytes.
  virtual Result<StoredObject> read(const wal::WalFileName& name, uint64_t max_size) = 0;
  // `length` bytes of the object from `offset`, fewer only at its end.
  virtual Result<std::vector<std::byte>> read_range(const wal::WalFileName& name, uint64_t offset,
                                                    uint64_t length) = 0;
  virtual Result<std::unique_ptr<ObjectUpload>> begin_put(const wal::WalFileName& name) = 0;
  // Up to `limit` objects whose keys come after `after_key` ("" for the first), in key order;
  // fewer than `limit` means there are no more. Other files in the archive are passed by.
  virtual Result<std::vector<ObjectEntry>> list(std::string_view after_key, size_t limit) = 0;
  // Removes the object stored under `name`, durably; kNotFound when there is none.
  virtual Status remove(const wal::WalFileName& name) = 0;

  // `failure` with what the store knows about why it happened (who owns what, for a folder).
  virtual Status explain(Status failure) const = 0;
  // The free space where the archive is, when the store can tell.
  virtual Result<std::optional<io::FilesystemSpace>> space() = 0;
  // A local folder where the walpipe processes of this machine that work on this archive meet
  // (the look-ahead lock and plan), and a way to give a file created there to the archive's
  // owner (walpipe run as root in another user's archive).
  virtual std::string meeting_dir() const = 0;
  // Whether a question about an object is a request over the network (a bucket) rather than a
  // look at a local file: a batch then keeps several in flight.
  virtual bool remote() const { return false; }
  // Whether PostgreSQL's call for a file the look-ahead archived takes the worker's receipt
  // (pipeline/receipts.h) instead of asking this store: where asking is a request (a bucket), or
  // needs a key the call would load libcrypto for alone (an encrypted archive's keyed
  // fingerprint: 11.6 ms of a 29.5 ms call here, bench/results/encrypt.md).
  virtual bool takes_receipts() const { return remote(); }
  virtual Status give_to_owner(const std::string& path) = 0;
};

// Checks `mine` against the archive without writing anything: true when the archive has this
// identity, false when it has none yet; another cluster's is kMismatch naming both.
Result<bool> check_identity(Store& store, const Identity& mine);

}  // namespace walpipe::archive
