// A store for reading an archive as its walpipe.json says: the .zst.age files through an
// EncryptedStore when it records encryption, else the .zst files as they are (an archive that has
// no walpipe.json yet is read encrypted when identities were given). The choice is made at the
// first call that needs an object, not when the store is opened: a command that is refused
// before that (a hostile name) makes no request, and one that fails to reach the archive does so
// once, where it always did. Without an identity an encrypted archive is still read as one, so
// that a restore says it cannot decrypt instead of "not in the archive".
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "archive/keys.h"
#include "archive/sealing.h"
#include "archive/store.h"

namespace walpipe::archive {

// Opens the archive's store that reads and writes objects of `sealing`, its file I/O on `io`.
using StoreOpener = std::function<std::unique_ptr<Store>(io::Io& io, Sealing sealing)>;

class AutoSealStore final : public Store {
 public:
  AutoSealStore(io::Io& io, StoreOpener open, std::shared_ptr<const SealingKeys> keys);

  const std::string& location() const override { return plain_->location(); }
  std::string object_location(const wal::WalFileName& name) const override {
    return chosen().object_location(name);
  }
  std::unique_ptr<Store> open_again(io::Io& io) const override {
    return std::make_unique<AutoSealStore>(io, open_, keys_);
  }
  Status check_reachable() override { return plain_->check_reachable(); }
  Result<bool> holds_archive() override { return plain_->holds_archive(); }
  Result<std::optional<Identity>> load_identity() override { return plain_->load_identity(); }
  Status create_identity(const Identity& mine) override { return chosen().create_identity(mine); }
  Status prepare(const wal::WalFileName& name) override { return chosen().prepare(name); }
  Result<bool> contains(const wal::WalFileName& name) override { return chosen().contains(name); }
  Result<ObjectMetadata> head(const wal::WalFileName& name) override { return chosen().head(name); }
  Result<CommitOutcome> confirm(const wal::WalFileName& name, const Fingerprint& mine) override {
    return chosen().confirm(name, mine);
  }
  Status make_durable(const wal::WalFileName& name) override { return chosen().make_durable(name); }
  Result<StoredObject> read(const wal::WalFileName& name, uint64_t max_size) override {
    return chosen().read(name, max_size);
  }
  Result<std::vector<std::byte>> read_range(const wal::WalFileName& name, uint64_t offset,
                                            uint64_t length) override {
    return chosen().read_range(name, offset, length);
  }
  Result<std::unique_ptr<ObjectUpload>> begin_put(const wal::WalFileName& name) override {
    return chosen().begin_put(name);
  }
  Result<std::vector<ObjectEntry>> list(std::string_view after_key, size_t limit) override {
    return chosen().list(after_key, limit);
  }
  Status remove(const wal::WalFileName& name) override { return chosen().remove(name); }
  Status explain(Status failure) const override { return plain_->explain(std::move(failure)); }
  Result<std::optional<io::FilesystemSpace>> space() override { return plain_->space(); }
  std::string meeting_dir() const override { return plain_->meeting_dir(); }
  bool remote() const override { return plain_->remote(); }
  Status give_to_owner(const std::string& path) override { return plain_->give_to_owner(path); }

 private:
  // The store objects go through, decided once from walpipe.json (when it cannot be read, from
  // whether identities were given: the calls then meet the same failure and report it).
  Store& chosen() const;

  io::Io& io_;
  StoreOpener open_;
  std::shared_ptr<const SealingKeys> keys_;
  std::unique_ptr<Store> plain_;
  mutable std::unique_ptr<Store> sealed_;
  mutable Store* chosen_ = nullptr;
};

}  // namespace walpipe::archive
