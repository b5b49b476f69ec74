// The fsyncs and folder creation the commit protocol (commit.h) and superseding (supersede.h)
// share: what they make durable, and in which order.
#pragma once

#include <optional>
#include <string>

#include "archive/local/layout.h"
#include "archive/local/owner.h"
#include "base/status.h"
#include "io/io.h"
#include "wal/names.h"

namespace walpipe::archive {

// Opens `path` with `flags` (O_RDONLY, with O_DIRECTORY for a folder), fsyncs and closes it.
Status fsync_path(io::Io& io, const std::string& path, int flags);

// The object's folder and every folder above it up to the archive root: a folder created by a
// pusher that was killed before syncing its parent is made durable by whoever succeeds next.
Status sync_folders(io::Io& io, const Layout& layout, const wal::WalFileName& name);

// Creates `dir` (0700) in `parent` when it is missing, gives it to `owner` when walpipe runs as
// root in another user's archive (also a folder an earlier run as root left to root), and, for
// a new folder, fsyncs `parent` so that its entry is durable.
Status make_dir(io::Io& io, const std::string& dir, const std::string& parent,
                const std::optional<Owner>& owner);

}  // namespace walpipe::archive
