#include "archive/encrypted_store.h"

#include <algorithm>

#include "archive/sealed_object.h"
#include "base/bytes.h"
#include "base/worker_pool.h"
#include "codec/zstd_frames.h"
#include "crypt/age_stream.h"

namespace walpipe::archive {

namespace {

// What head() reads: first a short header and the first chunk, which hold the metadata frame of
// almost every object; only when that is not enough, the longest header and two chunks.
struct StartRead {
  size_t header_budget;
  size_t chunks;
};
constexpr StartRead kStartReads[] = {{16 * 1024, 1}, {kMaxSealedHeaderSize, 2}};

Status different_content(const wal::WalFileName& name, const std::string& where) {
  return Status(Code::kMismatch, "archive already holds a different \"" + name.to_string() + "\"")
      .with_detail(
          "The keyed fingerprints of the archived object and of the new file differ; "
          "the archived object \"" +
          where + "\" was left untouched.")
      .with_hint(
          "Two clusters may be archiving into one archive, or this file was changed after it "
          "was archived.");
}

Status unknown_content(const wal::WalFileName& name, const std::string& where) {
  return Status(Code::kMismatch, "archive already holds \"" + name.to_string() +
                                     "\", encrypted without a walpipe fingerprint")
      .with_detail("\"" + where +
                   "\" was not written by walpipe push (age -r, say): a host "
                   "without an identity cannot tell what it holds; it was left untouched.")
      .with_hint(
          "Check it with walpipe verify on a host that has an identity; if it is not this "
          "file, move it aside and push again.");
}

// The metadata frame at the start of an object, from its first bytes `start`; nullopt when it
// goes on past them.
Result<std::optional<ObjectMetadata>> metadata_at(Bytes start, const std::string& where) {
  if (start.size() < zstd::kSkippableHeaderSize) return std::optional<ObjectMetadata>();
  const uint32_t payload = load_le<uint32_t>(start.data() + 4);
  if (payload > kMaxMetadataSize)
    return Status(Code::kCorruption,
                  "archive object \"" + where + "\" has a damaged metadata frame");
  if (zstd::kSkippableHeaderSize + payload > start.size()) return std::optional<ObjectMetadata>();
  WALPIPE_ASSIGN_OR_RETURN(ObjectMetadata meta, decode_metadata_frame(start, where));
  return std::optional<ObjectMetadata>(std::move(meta));
}

// The upload of an object is kept whole until its commit, then sealed and handed to the store
// below as one piece: an age file cannot be written before its plaintext is complete (the last
// chunk is marked), and walpipe's stanzas hold the fingerprint of the whole WAL file.
class EncryptedUpload final : public ObjectUpload {
 public:
  EncryptedUpload(EncryptedStore& store, wal::WalFileName name, std::unique_ptr<ObjectUpload> inner)
      : store_(store), name_(std::move(name)), inner_(std::move(inner)) {}

  Status write_early(uint64_t, Bytes) override { return Status::ok(); }

  Result<CommitOutcome> commit(Bytes object, const ObjectMetadata& meta) override {
    const SealingKeys& keys = store_.keys();
    WALPIPE_CHECK(keys.fingerprint_key.has_value());
    WALPIPE_ASSIGN_OR_RETURN(Fingerprint keyed,
                             keyed_fingerprint(*keys.fingerprint_key, meta.fingerprint));
    WALPIPE_ASSIGN_OR_RETURN(
        io::LargeBuffer sealed,
        seal_object(object, keyed, keys, store_.threads(), store_.take_sealing_buffer()));
    // The store below records and compares the keyed fingerprint (a bucket's user metadata);
    // the plain one would tell whoever holds the bucket which WAL an object holds.
    ObjectMetadata outer = meta;
    outer.fingerprint = keyed;
    Result<CommitOutcome> committed = inner_->commit(sealed.span(), outer);
    store_.keep_sealing_buffer(std::move(sealed));
    if (committed.is_ok()) return committed;
    // The name was taken, and the store below could not judge an age file as its own
    // (a folder reads a metadata frame there): the keyed fingerprints decide.
    Result<CommitOutcome> present = store_.confirm(name_, meta.fingerprint);
    if (present.is_ok() || present.status().code() == Code::kMismatch) return present;
    return committed;
  }

  std::string superseded() const override { return {}; }

 private:
  EncryptedStore& store_;
  wal::WalFileName name_;
  std::unique_ptr<ObjectUpload> inner_;
};

}  // namespace

EncryptedStore::EncryptedStore(std::unique_ptr<Store> inner,
                               std::shared_ptr<const SealingKeys> keys, unsigned threads)
    : inner_(std::move(inner)),
      keys_(std::move(keys)),
      threads_(threads ? threads : WorkerPool::shared().threads()) {}

void EncryptedStore::warm_up() {
  if (!keys_->recipients.empty() && !warm_up_) warm_up_.emplace();
}

std::string EncryptedStore::object_location(const wal::WalFileName& name) const {
  return inner_->object_location(name);
}

std::unique_ptr<Store> EncryptedStore::open_again(io::Io& io) const {
  return std::make_unique<EncryptedStore>(inner_->open_again(io), keys_, threads_);
}

Status EncryptedStore::create_identity(const Identity& mine) {
  if (!keys_->fingerprint_key)
    return Status(Code::kInvalidArgument, "cannot start encrypted archive \"" + location() +
                                              "\" without a fingerprint key");
  Identity sealed = mine;
  WALPIPE_ASSIGN_OR_RETURN(std::string id, key_id(*keys_->fingerprint_key));
  sealed.encryption = Encryption{std::move(id)};
  return inner_->create_identity(sealed);
}

Result<ObjectMetadata> EncryptedStore::head(const wal::WalFileName& name) {
  const std::string where = object_location(name);
  Status last = Status::ok();
  for (const StartRead& attempt : kStartReads) {
    const size_t want =
        attempt.header_budget + crypt::kPayloadNonceSize + attempt.chunks * crypt::kSealedChunkSize;
    // One byte more tells a file that ends here from one that goes on.
    WALPIPE_ASSIGN_OR_RETURN(std::vector<std::byte> start, inner_->read_range(name, 0, want + 1));
    const bool complete = start.size() <= want;
    Result<std::vector<std::byte>> plain = open_object_start(start, complete, *keys_, where);
    if (!plain.is_ok()) {
      if (plain.status().code() != Code::kCorruption) return std::move(plain).take_status();
      last = Status(Code::kCorruption,
                    "archive object \"" + where + "\" is corrupt: " + plain.status().message());
      if (complete) return last;
      continue;  // perhaps a longer header than was read
    }
    WALPIPE_ASSIGN_OR_RETURN(std::optional<ObjectMetadata> meta, metadata_at(*plain, where));
    if (meta) return std::move(*meta);
    last = Status(Code::kCorruption, "archive object \"" + where + "\" is truncated");
    if (complete) return last;
  }
  return last;
}

Result<CommitOutcome> EncryptedStore::confirm(const wal::WalFileName& name,
                                              const Fingerprint& mine) {
  if (keys_->fingerprint_key) return confirm_keyed(name, mine);
  WALPIPE_ASSIGN_OR_RETURN(ObjectMetadata theirs, head(name));
  if (theirs.fingerprint != mine) return different_content(name, object_location(name));
  WALPIPE_TRY(inner_->make_durable(name));
  return CommitOutcome::kAlreadyPresent;
}

Result<CommitOutcome> EncryptedStore::confirm_keyed(const wal::WalFileName& name,
                                                    const Fingerprint& mine) {
  WALPIPE_ASSIGN_OR_RETURN(Fingerprint keyed, keyed_fingerprint(*keys_->fingerprint_key, mine));
  // A bucket answers from the object's user metadata; a folder cannot read an age file as an
  // object and says so, and the header decides below.
  Result<CommitOutcome> quick = inner_->confirm(name, keyed);
  if (quick.is_ok() || quick.status().code() == Code::kNotFound) return quick;
  WALPIPE_ASSIGN_OR_RETURN(
      std::vector<std::byte> start,
      inner_->read_range(name, 0, kMaxSealedHeaderSize + crypt::kPayloadNonceSize));
  Result<SealedHeader> header = sealed_header(start);
  const std::string where = object_location(name);
  if (!header.is_ok())
    return Status(Code::kCorruption,
                  "archive object \"" + where + "\" is corrupt: " + header.status().message());
  if (!header->keyed) return unknown_content(name, where);
  if (*header->keyed != keyed) return different_content(name, where);
  WALPIPE_TRY(inner_->make_durable(name));
  return CommitOutcome::kAlreadyPresent;
}

Result<StoredObject> EncryptedStore::read(const wal::WalFileName& name, uint64_t max_size) {
  Result<StoredObject> sealed = inner_->read(name, sealed_object_limit(max_size));
  if (!sealed.is_ok()) return sealed;
  WALPIPE_ASSIGN_OR_RETURN(io::LargeBuffer plain,
                           open_object(sealed->bytes(), *keys_, object_location(name), threads_));
  if (plain.size() > max_size) return Status(Code::kCorruption, "it is too large");
  return StoredObject(plain.into_mapped());
}

Result<std::vector<std::byte>> EncryptedStore::read_range(const wal::WalFileName& name,
                                                          uint64_t offset, uint64_t length) {
  // No caller reads a range of an encrypted object often enough to open only its chunks.
  WALPIPE_ASSIGN_OR_RETURN(StoredObject object, read(name, UINT32_MAX));
  const Bytes bytes = object.bytes();
  if (offset >= bytes.size()) return std::vector<std::byte>();
  const Bytes range = bytes.subspan(offset, std::min<uint64_t>(length, bytes.size() - offset));
  return std::vector<std::byte>(range.begin(), range.end());
}

Result<std::unique_ptr<ObjectUpload>> EncryptedStore::begin_put(const wal::WalFileName& name) {
  if (keys_->recipients.empty() || !keys_->fingerprint_key)
    return Status(Code::kInvalidArgument, "cannot write to encrypted archive \"" + location() +
                                              "\" without its recipients and fingerprint key");
  Result<std::unique_ptr<ObjectUpload>> inner = inner_->begin_put(name);
  if (!inner.is_ok()) return inner;
  return std::unique_ptr<ObjectUpload>(
      std::make_unique<EncryptedUpload>(*this, name, std::move(*inner)));
}

}  // namespace walpipe::archive
