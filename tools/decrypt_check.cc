#include "decrypt_check.h"

#include <string>
#include <vector>

namespace walpipe::cli {

Status check_can_decrypt(archive::Store& store, const std::optional<archive::Identity>& identity,
                         const Args& args) {
  if (!identity || !identity->encryption) return Status::ok();
  if (args.keys && !args.keys->identities.empty()) return Status::ok();
  std::string detail;
  std::string hint =
      "Give the identity file of one of its recipients with --identity FILE, or with identity in "
      "the configuration file.";
  // Whom the objects were encrypted to is in their age headers only: the first one's says it
  // (the archive's store refuses to open it, and its refusal names the recipients).
  Result<std::vector<archive::ObjectEntry>> first = store.list("", 1);
  if (first.is_ok() && !first->empty()) {
    Result<archive::ObjectMetadata> head = store.head(first->front().name);
    if (!head.is_ok() && !head.status().detail().empty()) {
      detail = head.status().detail();
      if (!head.status().hint().empty()) hint = head.status().hint();
    }
  }
  Status refused(Code::kIoError,
                 "archive \"" + store.location() + "\" is encrypted, and no identity was given");
  if (detail.empty()) return std::move(refused).with_hint(hint);
  return std::move(refused).with_detail(detail).with_hint(hint);
}

std::optional<ReadableArchive> open_wal_to_read(const std::string& command, io::Io& io,
                                                const ReadingArgs& parsed) {
  std::optional<ReadableArchive> archive = open_to_read(command, io, parsed);
  if (!archive) return std::nullopt;
  Status keys = check_can_decrypt(*archive->store, archive->identity, parsed.args);
  if (!keys.is_ok()) {
    print_error(command, keys.to_string());
    return std::nullopt;
  }
  return archive;
}

Status cannot_tell_for_unreadable(size_t unreadable) {
  return Status(Code::kIoError,
                std::to_string(unreadable) +
                    " objects of the archive could not be read, so whether it can reach the "
                    "target cannot be told")
      .with_hint(
          "Read the warnings above: give the identity that opens the objects (--identity), or "
          "make them readable, then try again.");
}

}  // namespace walpipe::cli
