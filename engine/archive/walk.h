// Every object of an archive in key order, the one walk that status, metrics and list share.
// Key order is the order of WAL: segments by timeline then position, each timeline's .history
// file just before its first folder, .partial and .backup files beside their segment.
#pragma once

#include <functional>

#include "archive/store.h"
#include "base/status.h"

namespace walpipe::archive {

// Calls `visit` with every object of `store` in key order, holding at most one listing page
// (4096 objects) in memory however many there are. Stops at the first error of the listing or
// of `visit`.
Status for_each_object(Store& store, const std::function<Status(const ObjectEntry&)>& visit);

}  // namespace walpipe::archive
