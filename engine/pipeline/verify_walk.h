// What a verification covers, one item at a time: paths as PathWalker walks them, and archives
// read through their Store (a bucket has no folder to walk, an encrypted folder's objects must be
// decrypted), listed in key order, which is the order of WAL and the order a folder walk of the
// same archive gives, or only the objects a caller chose, in its order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "archive/store.h"
#include "pipeline/path_walk.h"
#include "wal/names.h"

namespace walpipe::pipeline {

// One thing given to verify: a file or folder, or an archive behind a Store.
struct VerifyInput {
  std::string path;                 // when store is null
  archive::Store* store = nullptr;  // not owned; it must outlive the walk
  // With a store: these objects, in this order, instead of everything it lists. An object that
  // is not stored is then a load_status (kNotFound), as a file given by path is.
  std::optional<std::vector<wal::WalFileName>> objects;
};

struct WalkedItem {
  size_t input = 0;  // which of the inputs it comes from
  // The file's path, or, for an object, Store::object_location; status is a folder or a
  // listing that could not be read, and the walk goes on with the next input.
  WalkedPath walked;
  std::optional<wal::WalFileName> object;  // set for an object of a Store
};

class VerifyWalk {
 public:
  explicit VerifyWalk(std::vector<VerifyInput> inputs);

  // The next item, or nullopt when the walk is over. Lists through the inputs' stores, so it
  // runs on one thread at a time, the one that may use them.
  std::optional<WalkedItem> next();

  const std::vector<VerifyInput>& inputs() const { return inputs_; }

 private:
  std::optional<WalkedItem> next_object();
  std::optional<WalkedItem> next_chosen();

  std::vector<VerifyInput> inputs_;
  size_t input_ = 0;
  std::optional<PathWalker> paths_;  // walking inputs_[input_], a path
  bool listing_ = false;             // listing inputs_[input_], a store
  std::vector<archive::ObjectEntry> window_;
  size_t position_ = 0;
  bool exhausted_ = false;
  size_t chosen_ = 0;  // the next of inputs_[input_].objects
};

}  // namespace walpipe::pipeline
