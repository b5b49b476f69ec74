#include "archive/keys.h"

namespace walpipe::archive {

std::string object_key(const wal::WalFileName& name) {
  std::string key(kObjectsPrefix);
  if (name.kind != wal::FileKind::kHistory) key += name.segment_name().substr(0, 16) + "/";
  return key + name.to_string() + std::string(kObjectSuffix);
}

std::optional<wal::WalFileName> name_of_key(std::string_view key) {
  if (!key.starts_with(kObjectsPrefix) || !key.ends_with(kObjectSuffix)) return std::nullopt;
  std::string_view rest = key.substr(kObjectsPrefix.size());
  const size_t slash = rest.rfind('/');
  std::string_view file = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
  Result<wal::WalFileName> name =
      wal::parse_file_name(file.substr(0, file.size() - kObjectSuffix.size()));
  if (!name.is_ok() || object_key(*name) != key) return std::nullopt;
  return *name;
}

}  // namespace walpipe::archive
