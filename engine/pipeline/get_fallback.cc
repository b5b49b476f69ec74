#include "pipeline/get_fallback.h"

#include <optional>
#include <utility>

namespace walpipe::pipeline {

Result<GetResult> get_from_any(io::Io& io,
                               const std::vector<std::unique_ptr<archive::Store>>& stores,
                               const std::string& name, const std::string& dest,
                               const GetOptions& options, const PassedOver& passed_over) {
  WALPIPE_CHECK(!stores.empty());
  std::optional<Status> absent;
  std::vector<std::pair<const archive::Store*, Status>> failures;  // other than absence
  for (const auto& store : stores) {
    Result<GetResult> got = get_file(io, *store, name, dest, options);
    if (got.is_ok()) {
      for (const auto& [where, why] : failures) passed_over(*where, why);
      return got;
    }
    // A bad name is bad for every archive.
    if (got.status().code() == Code::kInvalidArgument) return got;
    if (got.status().code() == Code::kNotFound) {
      if (!absent) absent = got.status();
    } else {
      failures.emplace_back(store.get(), got.status());
    }
  }
  if (failures.empty()) return *absent;
  // The first failure is the answer; the others are said beside it.
  for (size_t i = 1; i < failures.size(); ++i) passed_over(*failures[i].first, failures[i].second);
  return failures.front().second;
}

}  // namespace walpipe::pipeline
