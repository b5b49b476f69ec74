#include "archive/local/owner.h"

#include <cstdio>

namespace walpipe::archive {

Result<std::optional<Owner>> foreign_owner(const Layout& layout) {
  if (io::effective_uid() != 0) return std::optional<Owner>();
  WALPIPE_ASSIGN_OR_RETURN(io::EntryInfo root, io::entry_info(layout.root()));
  if (root.uid == 0) return std::optional<Owner>();
  return std::optional<Owner>(Owner{root.uid, root.gid});
}

Status give_to(const std::optional<Owner>& owner, const io::Fd& fd, const std::string& path) {
  if (!owner) return Status::ok();
  return io::set_owner(fd, owner->uid, owner->gid, path);
}

Status give_to(const std::optional<Owner>& owner, const std::string& path) {
  if (!owner) return Status::ok();
  return io::set_owner(path, owner->uid, owner->gid);
}

namespace {

std::string user(uid_t uid) { return "\"" + io::user_name(uid) + "\""; }

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode));
  return text;
}

bool inside(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.starts_with(root) &&
                          (root.ends_with('/') || path[root.size()] == '/'));
}

}  // namespace

Status explain_denied(Status status, const Layout& layout) {
  std::optional<std::string> denied = io::denied_path(status);
  const uid_t me = io::effective_uid();
  if (!denied || me == 0 || !inside(*denied, layout.root()) || !status.detail().empty() ||
      !status.hint().empty())
    return status;
  // The denied path itself may not be visible: then the folder above it that is tells why.
  std::string seen = *denied;
  Result<io::EntryInfo> info = io::entry_info(seen);
  while (!info.is_ok() && seen.size() > layout.root().size()) {
    seen = io::dir_name(seen);
    info = io::entry_info(seen);
  }
  Result<io::EntryInfo> root = io::entry_info(layout.root());
  if (!info.is_ok() || !root.is_ok()) return status;
  const std::string where = "\"" + layout.root() + "\"";
  std::string detail = "walpipe runs as user " + user(me) + "; \"" + seen + "\" is owned by " +
                       user(info->uid) + " with mode " + octal(info->mode);
  std::string hint;
  if (root->uid != me) {
    hint = "Run walpipe as " + user(root->uid) + ", the archive's owner, or give the archive to " +
           user(me) + ": chown -R " + io::user_name(me) + ": " + where;
  } else if (info->uid != me) {
    hint = "Files in the archive belong to " + user(info->uid) + ": give them back to " + user(me) +
           ", the archive's owner (as root): chown -R " + io::user_name(me) + ": " + where;
  } else {
    hint = "Let the archive's owner " + user(me) + " read and write it: chmod -R u+rwX " + where;
  }
  return std::move(status).with_detail(std::move(detail)).with_hint(std::move(hint));
}

}  // namespace walpipe::archive
