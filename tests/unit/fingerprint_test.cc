#include "codec/fingerprint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace walpipe {
namespace {

TEST(Fingerprint, EmptyInputHasXxh3PublishedValue) {
  EXPECT_EQ(fingerprint_of(Bytes()).hex(), "99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(FingerprintStream().digest().hex(), "99aa06d3014798d86001c324468d497f");
}

// A push hashes a file frame by frame as the frames fall into place; what it records must be the
// fingerprint of the whole file that get and dedup compute in one call.
TEST(Fingerprint, PiecesInOrderGiveTheWholeFilesFingerprint) {
  std::mt19937 rng(7);
  std::vector<std::byte> data(3 * 1024 * 1024 + 123);
  for (auto& b : data) b = static_cast<std::byte>(rng());
  const Fingerprint whole = fingerprint_of(data);
  for (size_t piece : {1u, 63u, 64u, 240u, 4096u, 1u << 20, 3u << 20}) {
    FingerprintStream stream;
    for (size_t offset = 0; offset < data.size(); offset += piece)
      stream.update(Bytes(data).subspan(offset, std::min(piece, data.size() - offset)));
    EXPECT_EQ(stream.digest(), whole) << piece;
  }
  // Moved, a stream carries on where it was.
  FingerprintStream first;
  first.update(Bytes(data).first(1000));
  FingerprintStream moved = std::move(first);
  moved.update(Bytes(data).subspan(1000));
  EXPECT_EQ(moved.digest(), whole);
  FingerprintStream other;
  other.update(Bytes(data).first(data.size() - 1));
  EXPECT_NE(other.digest(), whole);
}

}  // namespace
}  // namespace walpipe
