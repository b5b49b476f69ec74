#include "pipeline/verify_walk.h"

#include <utility>

#include "base/check.h"

namespace walpipe::pipeline {

namespace {

// Keys per listing: one ListObjectsV2 page, and a few kB of names held at a time.
constexpr size_t kWindow = 1000;

}  // namespace

VerifyWalk::VerifyWalk(std::vector<VerifyInput> inputs) : inputs_(std::move(inputs)) {}

std::optional<WalkedItem> VerifyWalk::next() {
  while (input_ < inputs_.size()) {
    const VerifyInput& input = inputs_[input_];
    if (input.objects) {
      if (std::optional<WalkedItem> item = next_chosen()) return item;
    } else if (input.store != nullptr) {
      if (std::optional<WalkedItem> item = next_object()) return item;
    } else {
      if (!paths_) paths_.emplace(std::vector<std::string>{input.path});
      if (std::optional<WalkedPath> walked = paths_->next())
        return WalkedItem{input_, std::move(*walked), std::nullopt};
      paths_.reset();
    }
    ++input_;
  }
  return std::nullopt;
}

// The next object of the store being listed; nullopt when its listing is over.
std::optional<WalkedItem> VerifyWalk::next_object() {
  archive::Store& store = *inputs_[input_].store;
  if (!listing_) {
    listing_ = true;
    window_.clear();
    position_ = 0;
    exhausted_ = false;
  }
  while (position_ == window_.size()) {
    if (exhausted_) {
      listing_ = false;
      return std::nullopt;
    }
    std::string after = window_.empty() ? std::string() : window_.back().key;
    Result<std::vector<archive::ObjectEntry>> listed = store.list(after, kWindow);
    if (!listed.is_ok()) {
      window_.clear();
      exhausted_ = true;  // the next call ends this input
      return WalkedItem{input_, WalkedPath{store.location(), std::move(listed).take_status()},
                        std::nullopt};
    }
    exhausted_ = listed->size() < kWindow;
    window_ = std::move(*listed);
    position_ = 0;
  }
  const archive::ObjectEntry& entry = window_[position_++];
  WalkedPath walked{store.object_location(entry.name), Status::ok(), false, true};
  return WalkedItem{input_, std::move(walked), entry.name};
}

// The next of the objects chosen for the current input; nullopt after the last one. Nothing is
// listed: whether each is stored is for its reading to say.
std::optional<WalkedItem> VerifyWalk::next_chosen() {
  const VerifyInput& input = inputs_[input_];
  WALPIPE_CHECK(input.store != nullptr);
  if (chosen_ == input.objects->size()) {
    chosen_ = 0;
    return std::nullopt;
  }
  const wal::WalFileName& name = (*input.objects)[chosen_++];
  WalkedPath walked{input.store->object_location(name), Status::ok(), false, true};
  return WalkedItem{input_, std::move(walked), name};
}

}  // namespace walpipe::pipeline
