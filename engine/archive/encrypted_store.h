// An archive whose objects are age files (issue 13; docs/design.md, "Encryption at rest"): a
// decorator over any store opened with Sealing::kAge, which keeps the .zst.age files under the
// keys of the .zst objects they seal. Everything above it sees the plain objects, so every check
// of the object reader still applies: read() and head() decrypt (head() only the first chunks,
// where the metadata frame is), and a put encrypts the finished object whole (sealed_object.h),
// padded to whole pages so that a folder writes it with O_DIRECT like a plain object.
//
// A push host holds recipients and the fingerprint key, never an identity: it recognises its own
// objects by the keyed fingerprint in their age header (and, in a bucket, in the object's user
// metadata, where the store under this one records ObjectMetadata::fingerprint, which is the
// keyed one here). Objects stored with --no-verify are never superseded in an encrypted archive:
// a push host cannot read what they hold.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "archive/sealing.h"
#include "archive/store.h"
#include "crypt/warm_up.h"
#include "io/large_buffer.h"

namespace walpipe::archive {

class EncryptedStore final : public Store {
 public:
  // `inner` keeps the age files; `keys` are what this command was given: recipients (and the
  // fingerprint key) to write, identities to read. `threads`: how many seal or open one object
  // (0: one per core).
  EncryptedStore(std::unique_ptr<Store> inner, std::shared_ptr<const SealingKeys> keys,
                 unsigned threads = 0);

  const std::string& location() const override { return inner_->location(); }
  std::string object_location(const wal::WalFileName& name) const override;
  std::unique_ptr<Store> open_again(io::Io& io) const override;
  Status check_reachable() override { return inner_->check_reachable(); }
  Result<bool> holds_archive() override { return inner_->holds_archive(); }
  Result<std::optional<Identity>> load_identity() override { return inner_->load_identity(); }
  // `mine`, recorded as encrypted with this command's fingerprint key.
  Status create_identity(const Identity& mine) override;
  Status prepare(const wal::WalFileName& name) override { return inner_->prepare(name); }
  // A push asks this first, before it checks and compresses its file: OpenSSL's set-up starts
  // here, beside that work.
  Result<bool> contains(const wal::WalFileName& name) override {
    warm_up();
    return inner_->contains(name);
  }
  Result<ObjectMetadata> head(const wal::WalFileName& name) override;
  // With a fingerprint key, by keyed fingerprints: the bucket's metadata, else the age header;
  // without one, by the decrypted metadata frame.
  Result<CommitOutcome> confirm(const wal::WalFileName& name, const Fingerprint& mine) override;
  Status make_durable(const wal::WalFileName& name) override { return inner_->make_durable(name); }
  Result<StoredObject> read(const wal::WalFileName& name, uint64_t max_size) override;
  Result<std::vector<std::byte>> read_range(const wal::WalFileName& name, uint64_t offset,
                                            uint64_t length) override;
  Result<std::unique_ptr<ObjectUpload>> begin_put(const wal::WalFileName& name) override;
  Result<std::vector<ObjectEntry>> list(std::string_view after_key, size_t limit) override {
    return inner_->list(after_key, limit);
  }
  Status remove(const wal::WalFileName& name) override { return inner_->remove(name); }
  Status explain(Status failure) const override { return inner_->explain(std::move(failure)); }
  Result<std::optional<io::FilesystemSpace>> space() override { return inner_->space(); }
  std::string meeting_dir() const override { return inner_->meeting_dir(); }
  bool remote() const override { return inner_->remote(); }
  bool takes_receipts() const override { return true; }
  Status give_to_owner(const std::string& path) override { return inner_->give_to_owner(path); }

  const SealingKeys& keys() const { return *keys_; }
  Store& inner() { return *inner_; }
  unsigned threads() const { return threads_; }
  // The buffer the last put sealed its object into, for the next put: a run of pushes through
  // one store faults in its pages once.
  io::LargeBuffer take_sealing_buffer() { return std::move(sealing_buffer_); }
  void keep_sealing_buffer(io::LargeBuffer buffer) { sealing_buffer_ = std::move(buffer); }

 private:
  Result<CommitOutcome> confirm_keyed(const wal::WalFileName& name, const Fingerprint& mine);
  // With recipients, starts readying what sealing needs, once. Not when the store is opened:
  // PostgreSQL's call that a look-ahead's receipt confirms never loads libcrypto.
  void warm_up();

  // First, so that it is destroyed last: the set-up it started is waited for.
  std::optional<crypt::WarmUp> warm_up_;
  std::unique_ptr<Store> inner_;
  std::shared_ptr<const SealingKeys> keys_;
  unsigned threads_;
  io::LargeBuffer sealing_buffer_;
};

}  // namespace walpipe::archive
