// What a look-ahead worker leaves, for each file it archived, for PostgreSQL's own call of that
// file: the call then confirms the file without asking a store that takes receipts
// (Store::takes_receipts). Without it, every call for a bucket loaded libcurl, opened a
// connection, read walpipe.json and sent a HEAD, and PostgreSQL's archiver, one call at a time,
// waited for that alone about as long as a whole push to a folder takes (bench/results/s3.md);
// every call for an encrypted archive loaded libcrypto to compute the keyed fingerprint it
// compares (bench/results/encrypt.md).
//
// A receipt is the worker's word, not the store's: an object removed from the store by someone
// else between the worker's PUT and the call is confirmed all the same (pgBackRest's asynchronous
// archive-push answers from its .ok files with the same window). So a receipt counts only for
// the same content (fingerprint and size), the same archives and settings (the scope), from a
// folder and a file only this user can write, for kLifetimeSeconds, and once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/io.h"

namespace walpipe::pipeline {

class Receipts {
 public:
  // Longer than PostgreSQL's archiver takes to reach a file the worker archived ahead of it,
  // short enough that an archive emptied by hand meanwhile is asked again soon.
  static constexpr int64_t kLifetimeSeconds = 300;

  // Receipts kept in `dir` (a store's meeting folder) for pushes under `scope`: everything that
  // decides where and how a file is archived (archives, validation, encryption).
  Receipts(std::string dir, std::string_view scope);

  // Leaves the receipt for `name`, archived with `fingerprint` from `size` bytes. Written whole
  // or not at all, and not synced: a receipt lost in a crash costs its call one request.
  Status record(io::Io& io, const std::string& name, const Fingerprint& fingerprint,
                uint64_t size) const;

  // Whether a receipt for `name` is there, whatever its scope: a call waiting for a worker asks
  // this instead of the store.
  bool left_for(const std::string& name) const;

  // Takes the receipt for `name`: true when it was left under this scope for exactly this
  // content, within kLifetimeSeconds, in a folder and a file only this user can write. The
  // receipt is removed whatever the answer.
  bool redeem(io::Io& io, const std::string& name, const Fingerprint& fingerprint,
              uint64_t size) const;

  // Removes the receipts no call took within kLifetimeSeconds (a file PostgreSQL never asked
  // for again, a cluster gone), and the temporaries of a killed worker: what a worker does first.
  void prune(io::Io& io) const;

 private:
  std::string path_of(const std::string& name) const;
  std::string text_of(const Fingerprint& fingerprint, uint64_t size) const;

  const std::string dir_;
  const Fingerprint scope_;
};

}  // namespace walpipe::pipeline
