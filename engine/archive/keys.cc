#include "archive/keys.h"

namespace walpipe::archive {

std::string object_suffix(Sealing sealing) {
  std::string suffix(kObjectSuffix);
  if (sealing == Sealing::kAge) suffix += kSealedSuffix;
  return suffix;
}

std::string object_key(const wal::WalFileName& name, Sealing sealing) {
  std::string key(kObjectsPrefix);
  if (name.kind != wal::FileKind::kHistory) key += name.segment_name().substr(0, 16) + "/";
  return key + name.to_string() + object_suffix(sealing);
}

std::optional<wal::WalFileName> name_of_key(std::string_view key, Sealing sealing) {
  const std::string suffix = object_suffix(sealing);
  if (!key.starts_with(kObjectsPrefix) || !key.ends_with(suffix)) return std::nullopt;
  std::string_view rest = key.substr(kObjectsPrefix.size());
  const size_t slash = rest.rfind('/');
  std::string_view file = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
  Result<wal::WalFileName> name = wal::parse_file_name(file.substr(0, file.size() - suffix.size()));
  if (!name.is_ok() || object_key(*name, sealing) != key) return std::nullopt;
  return *name;
}

}  // namespace walpipe::archive
