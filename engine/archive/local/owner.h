// Who owns what walpipe creates in an archive, and what a refused access there means. A first
// push run by hand as root must not leave root's 0700 folders and 0600 files behind, on which
// every later push by the PostgreSQL server's user fails; and when access is refused, the
// message says who walpipe runs as, who owns the path and how to fix it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "archive/local/layout.h"
#include "base/status.h"
#include "io/fs.h"

namespace walpipe::archive {

struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
};

// The owner of the archive's root folder when walpipe runs as root and the root belongs to
// another user: what walpipe creates in the archive goes to that user. Nothing otherwise, at
// the cost of one geteuid() when walpipe does not run as root.
Result<std::optional<Owner>> foreign_owner(const Layout& layout);

// Gives a file or folder walpipe has just created to `owner`, when there is one.
Status give_to(const std::optional<Owner>& owner, const io::Fd& fd, const std::string& path);
Status give_to(const std::optional<Owner>& owner, const std::string& path);

// `status` with, when it is a "Permission denied" or "Operation not permitted" on a path in the
// archive and walpipe does not run as root (for root, ownership and modes explain nothing), a
// DETAIL naming the user walpipe runs as and the owner and mode of that path (or of the nearest
// folder above it that can be seen), and a HINT to fix it. Any other status comes back as it
// is. It looks users up by name: call it on failures only.
Status explain_denied(Status status, const Layout& layout);

}  // namespace walpipe::archive
