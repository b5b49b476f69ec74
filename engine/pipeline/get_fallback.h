// walpipe get from several archives (--archive A --archive B): the first archive that holds an
// intact copy serves it. A copy that is absent, damaged, or out of reach sends get on to the
// next archive, and each one passed over is reported, so that a damaged local copy is restored
// from the off-site one and the operator learns which copy to replace.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "archive/store.h"
#include "pipeline/get.h"

namespace walpipe::pipeline {

// Called for each archive passed over, with why (not for a copy that is merely absent).
using PassedOver = std::function<void(const archive::Store& store, const Status& why)>;

// get_file against each of `stores` in order until one restores `name`. When none does:
// kNotFound only when every archive said it holds no such file; otherwise the first failure
// that was not an absence (damage, or an archive that could not tell), so that recovery stops
// rather than ends.
Result<GetResult> get_from_any(io::Io& io,
                               const std::vector<std::unique_ptr<archive::Store>>& stores,
                               const std::string& name, const std::string& dest,
                               const GetOptions& options, const PassedOver& passed_over);

}  // namespace walpipe::pipeline
