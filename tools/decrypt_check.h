// The commands that read WAL out of an archive's objects (verify, restore-plan, drill) and meet
// an encrypted archive without an identity: nothing in it can be read, so they say so before
// reading instead of calling every object unreadable or, worse, the WAL absent. The truth is
// "could not tell", which each of them exits with as an archive it could not read.
#pragma once

#include <cstddef>
#include <optional>

#include "archive/identity.h"
#include "archive/store.h"
#include "base/status.h"
#include "cli.h"
#include "io/io.h"
#include "reading_options.h"

namespace walpipe::cli {

// Ok unless `identity` (the walpipe.json of `store`, opened by open_archive for reading) records
// encryption and `args` gives no identity. Then kIoError naming the archive, with a DETAIL
// saying whom its first object was encrypted to (one of them holds the identity that opens it)
// and a HINT to give --identity. Reads at most one listing page and one object's header.
Status check_can_decrypt(archive::Store& store, const std::optional<archive::Identity>& identity,
                         const Args& args);

// open_to_read for a command that reads WAL out of the objects (restore-plan, drill): nullopt,
// after printing why, also when check_can_decrypt refuses the archive.
std::optional<ReadableArchive> open_wal_to_read(const std::string& command, io::Io& io,
                                                const ReadingArgs& parsed);

// A plan (restore-plan's, drill's) that fell short while `unreadable` objects could not be read
// (a wrong identity, a permission, a store that failed) may lack nothing but them: kIoError
// saying that whether the archive reaches the target cannot be told, with a HINT.
Status cannot_tell_for_unreadable(size_t unreadable);

}  // namespace walpipe::cli
