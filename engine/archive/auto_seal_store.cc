#include "archive/auto_seal_store.h"

#include "archive/encrypted_store.h"

namespace walpipe::archive {

AutoSealStore::AutoSealStore(io::Io& io, StoreOpener open, std::shared_ptr<const SealingKeys> keys)
    : io_(io), open_(std::move(open)), keys_(std::move(keys)), plain_(open_(io, Sealing::kPlain)) {}

Store& AutoSealStore::chosen() const {
  if (chosen_ != nullptr) return *chosen_;
  bool sealed = !keys_->identities.empty();
  Result<std::optional<Identity>> identity = plain_->load_identity();
  if (identity.is_ok() && *identity) sealed = (*identity)->encryption.has_value();
  if (!sealed) {
    chosen_ = plain_.get();
  } else {
    sealed_ = std::make_unique<EncryptedStore>(open_(io_, Sealing::kAge), keys_);
    chosen_ = sealed_.get();
  }
  return *chosen_;
}

}  // namespace walpipe::archive
