#include "archive/s3/s3_store.h"

#include <algorithm>

#include "archive/keys.h"
#include "base/bytes.h"
#include "codec/zstd_frames.h"
#include "io/fs.h"

namespace walpipe::archive {

namespace {

// x-amz-meta-walpipe-fingerprint: the XXH3-128 of the WAL the object holds.
constexpr std::string_view kFingerprintMetadata = "walpipe-fingerprint";
// walpipe.json is a few hundred bytes; anything larger is not ours.
constexpr size_t kMaxIdentitySize = 4096;
// ListObjectsV2 gives at most 1000 keys a page.
constexpr size_t kMaxListPage = 1000;
// How long a HEAD that found an object stands for the next question about it: long enough for
// one command's successive questions, short enough that no later decision rests on it.
constexpr std::chrono::seconds kSeenFor{5};

std::string text_of(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Status different_content(const wal::WalFileName& name, const std::string& where,
                         const ObjectMetadata& theirs, const Fingerprint& mine) {
  std::string detail = "archived XXH3-128 " + theirs.fingerprint.hex() + ", new file XXH3-128 " +
                       mine.hex() + "; the archived object \"" + where + "\" was left untouched";
  if (theirs.flags & kFlagFailedVerification)
    return Status(Code::kMismatch, "archive already holds a different \"" + name.to_string() +
                                       "\", stored with --no-verify")
        .with_detail(detail +
                     "; it failed validation when it was archived: " + theirs.validation_error)
        .with_hint(
            "A bucket has no safe way to replace an object: once this file is complete and "
            "valid, check the archived object, remove it by hand and push again.");
  return Status(Code::kMismatch, "archive already holds a different \"" + name.to_string() + "\"")
      .with_detail(std::move(detail))
      .with_hint(
          "Two clusters may be archiving into one bucket prefix, or this file was changed after "
          "it was archived.");
}

class S3Upload final : public ObjectUpload {
 public:
  S3Upload(S3Store& store, wal::WalFileName name) : store_(store), name_(std::move(name)) {}
  // One PUT carries the whole object: nothing is sent before it is complete, so a killed push
  // leaves nothing under the name.
  Status write_early(uint64_t, Bytes) override { return Status::ok(); }
  Result<CommitOutcome> commit(Bytes object, const ObjectMetadata& meta) override {
    return store_.put(name_, object, meta);
  }
  std::string superseded() const override { return {}; }

 private:
  S3Store& store_;
  wal::WalFileName name_;
};

}  // namespace

S3Store::S3Store(io::Io& io, S3StoreSettings settings)
    : io_(io),
      settings_(std::move(settings)),
      location_("s3://" + settings_.where.bucket +
                (settings_.where.prefix.empty() ? "" : "/" + settings_.where.prefix)) {}

S3Store::~S3Store() = default;

Result<s3::Client*> S3Store::client() {
  if (!client_) client_.emplace(s3::Client::create(settings_.connection, settings_.where));
  if (!client_->is_ok())
    return Status(Code::kIoError,
                  "cannot reach \"" + location_ + "\": " + client_->status().message())
        .with_hint(client_->status().hint());
  return client_->value().get();
}

std::string S3Store::object_location(const wal::WalFileName& name) const {
  return location_ + "/" + object_key(name, settings_.sealing);
}

std::unique_ptr<Store> S3Store::open_again(io::Io& io) const {
  return std::make_unique<S3Store>(io, settings_);
}

Status S3Store::check_reachable() {
  Result<std::optional<Identity>> identity = load_identity();
  return identity.is_ok() ? Status::ok() : identity.status();
}

Result<bool> S3Store::holds_archive() {
  WALPIPE_ASSIGN_OR_RETURN(std::optional<Identity> identity, load_identity());
  if (identity) return true;
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  WALPIPE_ASSIGN_OR_RETURN(s3::ListPage page, (s3)->list({std::string(kObjectsPrefix), "", "", 1}));
  return !page.entries.empty();
}

Result<std::optional<Identity>> S3Store::load_identity() {
  if (identity_) return identity_;
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  Result<std::vector<std::byte>> text = (s3)->get(kIdentityKey, std::nullopt, kMaxIdentitySize);
  if (!text.is_ok()) {
    if (text.status().code() == Code::kNotFound) return std::optional<Identity>();
    return text.status();
  }
  WALPIPE_ASSIGN_OR_RETURN(
      Identity identity,
      decode_identity(text_of(*text), location_ + "/" + std::string(kIdentityKey)));
  identity_ = identity;
  return identity_;
}

Status S3Store::create_identity(const Identity& mine) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  // Twice: a racing first push may write it between our read and our conditional PUT.
  for (int attempt = 0; attempt < 2; ++attempt) {
    WALPIPE_ASSIGN_OR_RETURN(std::optional<Identity> present, load_identity());
    if (present) {
      if (same_cluster(*present, mine)) return Status::ok();
      return identity_mismatch(*present, mine, location_);
    }
    const std::string text = encode_identity(mine);
    WALPIPE_ASSIGN_OR_RETURN(s3::PutOutcome put,
                             (s3)->put_if_absent(kIdentityKey, std::as_bytes(std::span(text)), {}));
    if (put == s3::PutOutcome::kWritten) return check_conditional_put(text, mine);
  }
  return Status(Code::kIoError, "could not create the archive identity in \"" + location_ + "\"");
}

// Every guarantee that nothing is overwritten rests on If-None-Match, which some engines ignore
// (Garage 2.0, s3rver). The identity just written is sent again, conditionally: a store that
// stores it a second time instead of answering 412 would replace objects too. Then the identity
// goes again, so that every later push asks once more and is refused the same way.
Status S3Store::check_conditional_put(const std::string& text, const Identity& mine) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  WALPIPE_ASSIGN_OR_RETURN(s3::PutOutcome again,
                           (s3)->put_if_absent(kIdentityKey, std::as_bytes(std::span(text)), {}));
  if (again == s3::PutOutcome::kPreconditionFailed) {
    identity_ = mine;
    return Status::ok();
  }
  Status removed = (s3)->remove(kIdentityKey);
  (void)removed;  // the refusal below says what matters; a left identity is asked again anyway
  return Status(Code::kUnsupported, "the S3 store of \"" + location_ +
                                        "\" ignores If-None-Match: it would let a push replace "
                                        "an archived object")
      .with_detail("A second conditional PUT of \"" + location_ + "/" + std::string(kIdentityKey) +
                   "\" was stored instead of being refused (412).")
      .with_hint(
          "Use a store that honours conditional writes (AWS S3, Ceph RGW, MinIO), or a newer "
          "version of this one.");
}

Status S3Store::ensure_meeting_dir() {
  if (meeting_dir_ready_) return Status::ok();
  const std::string& dir = settings_.meeting_dir;
  bool created = false;
  WALPIPE_TRY(io_.mkdir(dir, 0700, &created));
  // Made by someone else, the lock in it would be theirs to hold or to point elsewhere.
  WALPIPE_ASSIGN_OR_RETURN(io::EntryInfo info, io::entry_info(dir));
  if (info.type != io::EntryType::kDirectory || info.uid != io::effective_uid() ||
      (info.mode & 077) != 0)
    return Status(Code::kIoError, "folder \"" + dir + "\" is not this user's private folder")
        .with_detail("walpipe's processes working on \"" + location_ +
                     "\" meet in it; it belongs to " + io::user_name(info.uid) +
                     " or others may use it")
        .with_hint("Remove it: walpipe makes it again, for this user alone.");
  meeting_dir_ready_ = true;
  return Status::ok();
}

Status S3Store::prepare(const wal::WalFileName&) { return ensure_meeting_dir(); }

Result<s3::ObjectInfo> S3Store::head_info(s3::Client& s3, const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  if (seen_ && seen_->key == key && now - seen_->when < kSeenFor) return seen_->info;
  seen_.reset();
  Result<s3::ObjectInfo> info = s3.head(key);
  if (info.is_ok()) seen_ = SeenPresent{key, *info, now};
  return info;
}

Result<bool> S3Store::contains(const wal::WalFileName& name) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  Result<s3::ObjectInfo> info = head_info(*s3, object_key(name, settings_.sealing));
  if (info.is_ok()) return true;
  if (info.status().code() == Code::kNotFound) return false;
  return info.status();
}

Result<ObjectMetadata> S3Store::head(const wal::WalFileName& name) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  const std::string key = object_key(name, settings_.sealing);
  const std::string where = object_location(name);
  // Every object is at least one aligned block, and most metadata frames fit in it.
  WALPIPE_ASSIGN_OR_RETURN(
      std::vector<std::byte> block,
      (s3)->get(key, s3::ByteRange{0, kObjectAlignment - 1}, kObjectAlignment));
  const uint32_t payload = load_le<uint32_t>(block.data() + 4);
  if (payload > kMaxMetadataSize)
    return Status(Code::kCorruption,
                  "archive object \"" + where + "\" has a damaged metadata frame");
  const size_t frame_size = zstd::kSkippableHeaderSize + payload;
  if (frame_size > block.size()) {
    WALPIPE_ASSIGN_OR_RETURN(
        std::vector<std::byte> rest,
        (s3)->get(key, s3::ByteRange{block.size(), frame_size - 1}, frame_size - block.size()));
    block.insert(block.end(), rest.begin(), rest.end());
  }
  return decode_metadata_frame(block, where);
}

Result<CommitOutcome> S3Store::confirm(const wal::WalFileName& name, const Fingerprint& mine) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  WALPIPE_ASSIGN_OR_RETURN(s3::ObjectInfo info,
                           head_info(*s3, object_key(name, settings_.sealing)));
  // A stored object is durable: S3 answers a PUT only once it holds the bytes.
  for (const s3::Header& h : info.metadata)
    if (h.name == kFingerprintMetadata && h.value == mine.hex())
      return CommitOutcome::kAlreadyPresent;
  // No fingerprint, or another one: copied in by another tool, or different content. The
  // metadata frame says which.
  WALPIPE_ASSIGN_OR_RETURN(ObjectMetadata theirs, head(name));
  if (theirs.fingerprint == mine) return CommitOutcome::kAlreadyPresent;
  return different_content(name, object_location(name), theirs, mine);
}

Result<StoredObject> S3Store::read(const wal::WalFileName& name, uint64_t max_size) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  WALPIPE_ASSIGN_OR_RETURN(std::vector<std::byte> bytes,
                           (s3)->get(object_key(name, settings_.sealing), std::nullopt, max_size));
  return StoredObject(std::move(bytes));
}

Result<std::vector<std::byte>> S3Store::read_range(const wal::WalFileName& name, uint64_t offset,
                                                   uint64_t length) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  return (s3)->get_from(object_key(name, settings_.sealing), offset, length);
}

Result<std::unique_ptr<ObjectUpload>> S3Store::begin_put(const wal::WalFileName& name) {
  return std::unique_ptr<ObjectUpload>(std::make_unique<S3Upload>(*this, name));
}

Result<CommitOutcome> S3Store::put(const wal::WalFileName& name, Bytes object,
                                   const ObjectMetadata& meta) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  const std::string key = object_key(name, settings_.sealing);
  // Twice: an object removed between a refused PUT and the HEAD that looks at it.
  for (int attempt = 0; attempt < 2; ++attempt) {
    WALPIPE_ASSIGN_OR_RETURN(
        s3::PutOutcome put,
        (s3)->put_if_absent(key, object,
                            {{std::string(kFingerprintMetadata), meta.fingerprint.hex()}}));
    if (put == s3::PutOutcome::kWritten) return CommitOutcome::kWritten;
    seen_.reset();  // what is there now decides, not what was seen before the PUT
    Result<CommitOutcome> existing = confirm(name, meta.fingerprint);
    if (existing.is_ok() || existing.status().code() != Code::kNotFound) return existing;
  }
  return Status(Code::kIoError, "could not store \"" + object_location(name) +
                                    "\": the bucket refused it as present, then had no such object")
      .with_hint("Another process may be removing objects from this archive (expire).");
}

Result<std::vector<ObjectEntry>> S3Store::list(std::string_view after_key, size_t limit) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  std::vector<ObjectEntry> out;
  s3::ListQuery query{std::string(kObjectsPrefix), std::string(after_key), "", 0};
  while (out.size() < limit) {
    query.max_keys = static_cast<int>(std::min(kMaxListPage, limit - out.size()));
    WALPIPE_ASSIGN_OR_RETURN(s3::ListPage page, (s3)->list(query));
    for (s3::ListEntry& e : page.entries)
      if (std::optional<wal::WalFileName> name = name_of_key(e.key, settings_.sealing))
        out.push_back(ObjectEntry{std::move(e.key), *name, e.size});
    if (!page.truncated) break;
    query.continuation_token = std::move(page.continuation_token);
    query.start_after.clear();
  }
  return out;
}

Status S3Store::remove(const wal::WalFileName& name) {
  WALPIPE_ASSIGN_OR_RETURN(s3::Client * s3, client());
  seen_.reset();
  // DELETE of an absent key succeeds in S3: only HEAD tells that there was nothing to remove.
  WALPIPE_ASSIGN_OR_RETURN(s3::ObjectInfo info, (s3)->head(object_key(name, settings_.sealing)));
  return (s3)->remove(object_key(name, settings_.sealing));
}

Result<std::optional<io::FilesystemSpace>> S3Store::space() {
  return std::optional<io::FilesystemSpace>();
}

}  // namespace walpipe::archive
