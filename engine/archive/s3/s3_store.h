// The archive in an S3 bucket, below a key prefix, with the keys of a folder archive (keys.h):
// one PUT with If-None-Match: * per object, never replacing; GETs by key, never a LIST on the
// way to one object. walpipe's fingerprint of the WAL rides in each object's user metadata
// (x-amz-meta-walpipe-fingerprint), so that a retried push compares with one HEAD.
//
// What a folder can do and a bucket cannot: supersede an object stored with --no-verify (there is
// no conditional replace to make it safe: the DBA removes it by hand), and tell free space. An
// engine that ignores If-None-Match would let a racing second writer replace an object: the
// first push into a prefix checks that the store honours it, and refuses the store otherwise.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "archive/keys.h"
#include "archive/store.h"
#include "io/io.h"
#include "s3/client.h"
#include "s3/location.h"

namespace walpipe::archive {

struct S3StoreSettings {
  s3::S3Settings connection;
  s3::Location where;
  // A local folder (created 0700, ours alone) where this machine's walpipe processes that work
  // on this bucket meet (Store::meeting_dir).
  std::string meeting_dir;
  // Which objects it reads and writes (keys.h): an EncryptedStore wraps a kAge one.
  Sealing sealing = Sealing::kPlain;
};

class S3Store final : public Store {
 public:
  // Loads no library and connects to nothing: most of PostgreSQL's calls are answered from
  // local files, or refused before any request. The first call that needs the bucket starts the
  // client; when it cannot start, that call and every later one say why.
  S3Store(io::Io& io, S3StoreSettings settings);
  ~S3Store() override;

  const std::string& location() const override { return location_; }
  std::string object_location(const wal::WalFileName& name) const override;
  std::unique_ptr<Store> open_again(io::Io& io) const override;
  Status check_reachable() override;
  Result<bool> holds_archive() override;
  Result<std::optional<Identity>> load_identity() override;
  Status create_identity(const Identity& mine) override;
  Status prepare(const wal::WalFileName& name) override;
  Result<bool> contains(const wal::WalFileName& name) override;
  Result<ObjectMetadata> head(const wal::WalFileName& name) override;
  Result<CommitOutcome> confirm(const wal::WalFileName& name, const Fingerprint& mine) override;
  Result<StoredObject> read(const wal::WalFileName& name, uint64_t max_size) override;
  Result<std::vector<std::byte>> read_range(const wal::WalFileName& name, uint64_t offset,
                                            uint64_t length) override;
  Result<std::unique_ptr<ObjectUpload>> begin_put(const wal::WalFileName& name) override;
  Result<std::vector<ObjectEntry>> list(std::string_view after_key, size_t limit) override;
  Status remove(const wal::WalFileName& name) override;
  Status explain(Status failure) const override { return failure; }
  Result<std::optional<io::FilesystemSpace>> space() override;
  std::string meeting_dir() const override { return settings_.meeting_dir; }
  bool remote() const override { return true; }
  Status give_to_owner(const std::string&) override { return Status::ok(); }

  // The client, started on the first call, or why there is none.
  Result<s3::Client*> client();
  // The commit of an upload: the complete object in one conditional PUT.
  Result<CommitOutcome> put(const wal::WalFileName& name, Bytes object, const ObjectMetadata& meta);

 private:
  Status ensure_meeting_dir();
  Status check_conditional_put(const std::string& identity_text, const Identity& mine);
  // HEAD of `key`, or what this handle's last HEAD of it found moments ago.
  Result<s3::ObjectInfo> head_info(s3::Client& s3, const std::string& key);

  io::Io& io_;
  S3StoreSettings settings_;
  std::string location_;
  // Empty until client() is first called.
  std::optional<Result<std::unique_ptr<s3::Client>>> client_;
  // walpipe.json never changes once written: one read per handle.
  std::optional<Identity> identity_;
  bool meeting_dir_ready_ = false;
  // The object this handle last found present, and when. A push that waited for a look-ahead to
  // store its file asks contains() and then confirm(), as the wait did: one HEAD serves all three.
  struct SeenPresent {
    std::string key;
    s3::ObjectInfo info;
    std::chrono::steady_clock::time_point when;
  };
  std::optional<SeenPresent> seen_;
};

}  // namespace walpipe::archive
