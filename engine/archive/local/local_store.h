// The archive in a local folder (layout.h): objects are files written by the commit protocol
// (commit.h), walpipe.json is identity_file.h's, and ownership follows the folder's owner when
// walpipe runs as root (owner.h).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "archive/local/layout.h"
#include "archive/store.h"
#include "io/io.h"

namespace walpipe::archive {

class LocalStore final : public Store {
 public:
  // `sealing`: which object files it reads and writes (keys.h); an EncryptedStore wraps a
  // kAge one.
  LocalStore(io::Io& io, std::string root, Sealing sealing = Sealing::kPlain);

  const Layout& layout() const { return layout_; }

  const std::string& location() const override { return layout_.root(); }
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
  Status make_durable(const wal::WalFileName& name) override;
  Result<StoredObject> read(const wal::WalFileName& name, uint64_t max_size) override;
  Result<std::vector<std::byte>> read_range(const wal::WalFileName& name, uint64_t offset,
                                            uint64_t length) override;
  Result<std::unique_ptr<ObjectUpload>> begin_put(const wal::WalFileName& name) override;
  Result<std::vector<ObjectEntry>> list(std::string_view after_key, size_t limit) override;
  Status remove(const wal::WalFileName& name) override;
  Status explain(Status failure) const override;
  Result<std::optional<io::FilesystemSpace>> space() override;
  std::string meeting_dir() const override { return layout_.tmp_dir(); }
  Status give_to_owner(const std::string& path) override;

 private:
  io::Io& io_;
  Layout layout_;
  // walpipe.json, once found: walpipe never replaces it, so one read per handle, as a bucket's.
  std::optional<Identity> identity_;
};

}  // namespace walpipe::archive
