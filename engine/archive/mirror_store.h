// Several archives kept as one (push --archive A --archive B): every object is stored in each
// of them, and a put is acknowledged only once every archive holds it durably with identical
// content. What is read comes from the first archive that holds it; a restore that must fall
// back past a damaged copy does so itself (pipeline/get_fallback.h), since only decoding the
// object shows the damage.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "archive/store.h"

namespace walpipe::archive {

class MirrorStore final : public Store {
 public:
  // `stores` in the operator's order (at least one); the first one's local folder is where this
  // machine's processes meet.
  explicit MirrorStore(std::vector<std::unique_ptr<Store>> stores);

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
  Status make_durable(const wal::WalFileName& name) override;
  Result<StoredObject> read(const wal::WalFileName& name, uint64_t max_size) override;
  Result<std::vector<std::byte>> read_range(const wal::WalFileName& name, uint64_t offset,
                                            uint64_t length) override;
  Result<std::unique_ptr<ObjectUpload>> begin_put(const wal::WalFileName& name) override;
  Result<std::vector<ObjectEntry>> list(std::string_view after_key, size_t limit) override;
  Status remove(const wal::WalFileName& name) override;
  Status explain(Status failure) const override;
  Result<std::optional<io::FilesystemSpace>> space() override;
  std::string meeting_dir() const override { return stores_.front()->meeting_dir(); }
  bool remote() const override;
  bool takes_receipts() const override;
  Status give_to_owner(const std::string& path) override;

 private:
  std::vector<std::unique_ptr<Store>> stores_;
  std::string location_;
};

}  // namespace walpipe::archive
