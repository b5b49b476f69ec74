#include "archive/mirror_store.h"

#include <algorithm>

namespace walpipe::archive {

namespace {

class MirrorUpload final : public ObjectUpload {
 public:
  explicit MirrorUpload(std::vector<std::unique_ptr<ObjectUpload>> uploads)
      : uploads_(std::move(uploads)) {}

  Status write_early(uint64_t offset, Bytes piece) override {
    for (auto& upload : uploads_) WALPIPE_TRY(upload->write_early(offset, piece));
    return Status::ok();
  }

  // In order, each durable before the next: a failure part way leaves identical copies in the
  // first archives, which the retry that PostgreSQL makes finds already present.
  Result<CommitOutcome> commit(Bytes object, const ObjectMetadata& meta) override {
    CommitOutcome outcome = CommitOutcome::kAlreadyPresent;
    for (auto& upload : uploads_) {
      Result<CommitOutcome> one = upload->commit(object, meta);
      if (!one.is_ok()) return one;
      if (*one == CommitOutcome::kSuperseded) {
        outcome = CommitOutcome::kSuperseded;
        superseded_ = upload->superseded();
      } else if (*one == CommitOutcome::kWritten && outcome == CommitOutcome::kAlreadyPresent) {
        outcome = CommitOutcome::kWritten;
      }
    }
    return outcome;
  }

  std::string superseded() const override { return superseded_; }

 private:
  std::vector<std::unique_ptr<ObjectUpload>> uploads_;
  std::string superseded_;
};

}  // namespace

MirrorStore::MirrorStore(std::vector<std::unique_ptr<Store>> stores) : stores_(std::move(stores)) {
  WALPIPE_CHECK(!stores_.empty());
  for (const auto& store : stores_)
    location_ += (location_.empty() ? "" : "\", \"") + store->location();
}

std::string MirrorStore::object_location(const wal::WalFileName& name) const {
  return stores_.front()->object_location(name);
}

std::unique_ptr<Store> MirrorStore::open_again(io::Io& io) const {
  std::vector<std::unique_ptr<Store>> again;
  for (const auto& store : stores_) again.push_back(store->open_again(io));
  return std::make_unique<MirrorStore>(std::move(again));
}

Status MirrorStore::check_reachable() {
  for (auto& store : stores_) WALPIPE_TRY(store->check_reachable());
  return Status::ok();
}

Result<bool> MirrorStore::holds_archive() {
  for (auto& store : stores_) {
    Result<bool> holds = store->holds_archive();
    if (!holds.is_ok() || *holds) return holds;
  }
  return false;
}

Result<std::optional<Identity>> MirrorStore::load_identity() {
  for (auto& store : stores_) {
    Result<std::optional<Identity>> identity = store->load_identity();
    if (!identity.is_ok() || *identity) return identity;
  }
  return std::optional<Identity>();
}

Status MirrorStore::create_identity(const Identity& mine) {
  for (auto& store : stores_) WALPIPE_TRY(store->create_identity(mine));
  return Status::ok();
}

Status MirrorStore::prepare(const wal::WalFileName& name) {
  for (auto& store : stores_) WALPIPE_TRY(store->prepare(name));
  return Status::ok();
}

// Archived means archived everywhere: a copy missing from one archive is pushed again.
Result<bool> MirrorStore::contains(const wal::WalFileName& name) {
  for (auto& store : stores_) {
    Result<bool> present = store->contains(name);
    if (!present.is_ok() || !*present) return present;
  }
  return true;
}

Result<ObjectMetadata> MirrorStore::head(const wal::WalFileName& name) {
  for (size_t i = 0;; ++i) {
    Result<ObjectMetadata> meta = stores_[i]->head(name);
    if (meta.is_ok() || meta.status().code() != Code::kNotFound || i + 1 == stores_.size())
      return meta;
  }
}

Result<CommitOutcome> MirrorStore::confirm(const wal::WalFileName& name, const Fingerprint& mine) {
  std::optional<Status> absent;
  for (auto& store : stores_) {
    Result<CommitOutcome> one = store->confirm(name, mine);
    if (one.is_ok()) continue;
    if (one.status().code() != Code::kNotFound) return one;
    if (!absent) absent = one.status();
  }
  if (absent) return *absent;
  return CommitOutcome::kAlreadyPresent;
}

Status MirrorStore::make_durable(const wal::WalFileName& name) {
  for (auto& store : stores_) WALPIPE_TRY(store->make_durable(name));
  return Status::ok();
}

Result<StoredObject> MirrorStore::read(const wal::WalFileName& name, uint64_t max_size) {
  for (size_t i = 0;; ++i) {
    Result<StoredObject> object = stores_[i]->read(name, max_size);
    if (object.is_ok() || object.status().code() != Code::kNotFound || i + 1 == stores_.size())
      return object;
  }
}

Result<std::vector<std::byte>> MirrorStore::read_range(const wal::WalFileName& name,
                                                       uint64_t offset, uint64_t length) {
  for (size_t i = 0;; ++i) {
    Result<std::vector<std::byte>> bytes = stores_[i]->read_range(name, offset, length);
    if (bytes.is_ok() || bytes.status().code() != Code::kNotFound || i + 1 == stores_.size())
      return bytes;
  }
}

Result<std::unique_ptr<ObjectUpload>> MirrorStore::begin_put(const wal::WalFileName& name) {
  std::vector<std::unique_ptr<ObjectUpload>> uploads;
  for (auto& store : stores_) {
    Result<std::unique_ptr<ObjectUpload>> upload = store->begin_put(name);
    if (!upload.is_ok()) return upload;
    uploads.push_back(std::move(upload.value()));
  }
  return std::unique_ptr<ObjectUpload>(std::make_unique<MirrorUpload>(std::move(uploads)));
}

Result<std::vector<ObjectEntry>> MirrorStore::list(std::string_view after_key, size_t limit) {
  return stores_.front()->list(after_key, limit);
}

Status MirrorStore::remove(const wal::WalFileName& name) {
  for (auto& store : stores_) WALPIPE_TRY(store->remove(name));
  return Status::ok();
}

// Each archive explains its own failures; the message names the archive it came from.
Status MirrorStore::explain(Status failure) const {
  for (const auto& store : stores_) failure = store->explain(std::move(failure));
  return failure;
}

Result<std::optional<io::FilesystemSpace>> MirrorStore::space() {
  for (auto& store : stores_) {
    Result<std::optional<io::FilesystemSpace>> space = store->space();
    if (!space.is_ok() || *space) return space;
  }
  return std::optional<io::FilesystemSpace>();
}

bool MirrorStore::remote() const {
  return std::any_of(stores_.begin(), stores_.end(),
                     [](const auto& store) { return store->remote(); });
}

bool MirrorStore::takes_receipts() const {
  return std::any_of(stores_.begin(), stores_.end(),
                     [](const auto& store) { return store->takes_receipts(); });
}

Status MirrorStore::give_to_owner(const std::string& path) {
  return stores_.front()->give_to_owner(path);
}

}  // namespace walpipe::archive
