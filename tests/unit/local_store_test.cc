// archive::LocalStore, the archive in a folder, through the Store interface the pipeline uses:
// listing in key order page by page, whole and ranged reads, removal, and the answers get needs
// to tell "absent" from "could not tell".
#include "archive/local/local_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "archive/walk.h"
#include "io/io.h"
#include "pipeline/push.h"
#include "support/corpus.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kPushed = {
    "pg16/1mb/000000010000000000000034", "pg16/1mb/000000010000000000000035",
    "pg16/1mb/000000010000000000000039", "pg16/1mb/00000001000000000000003A.000000D8.backup",
    "pg16/1mb/00000002.history",         "pg16/1mb/000000020000000000000055",
    "pg16/1mb/000000020000000000000056"};

// Key order: timeline 1's folder, then timeline 2's history file, then timeline 2's folder.
const std::vector<std::string> kKeys = {
    "wal/0000000100000000/000000010000000000000034.zst",
    "wal/0000000100000000/000000010000000000000035.zst",
    "wal/0000000100000000/000000010000000000000039.zst",
    "wal/0000000100000000/00000001000000000000003A.000000D8.backup.zst",
    "wal/00000002.history.zst",
    "wal/0000000200000000/000000020000000000000055.zst",
    "wal/0000000200000000/000000020000000000000056.zst"};

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WALPIPE_REQUIRE_CORPUS();
    fs::create_directories(dir_.file("archive"));
    for (const std::string& relative : kPushed) {
      std::string src = dir_.write("pg_wal/" + base_name(relative), corpus_bytes(relative));
      auto pushed = pipeline::push_file(io_, store_, src, pipeline::PushOptions{});
      ASSERT_TRUE(pushed.is_ok()) << pushed.status().to_string();
    }
    // Files that are not objects are passed by.
    dir_.write("archive/wal/0000000100000000/notes.txt", std::vector<std::byte>(3));
    dir_.write("archive/wal/README", std::vector<std::byte>(3));
    fs::create_directories(dir_.file("archive/wal/lost+found"));
  }
  wal::WalFileName name(const std::string& text) { return *wal::parse_file_name(text); }

  ScratchDir dir_;
  io::SyncIo io_;
  archive::LocalStore store_{io_, dir_.file("archive")};
};

TEST_F(LocalStoreTest, ListsEveryObjectInKeyOrderWhateverThePageSize) {
  for (size_t page : {1u, 2u, 3u, 4u, 7u, 100u}) {
    std::vector<std::string> keys;
    std::string after;
    for (;;) {
      auto listed = store_.list(after, page);
      ASSERT_TRUE(listed.is_ok()) << listed.status().to_string();
      for (const auto& e : *listed) {
        keys.push_back(e.key);
        EXPECT_EQ(e.size, fs::file_size(dir_.file("archive/" + e.key))) << e.key;
        EXPECT_EQ(e.key.substr(e.key.rfind('/') + 1), e.name.to_string() + ".zst");
      }
      if (listed->size() < page) break;
      after = listed->back().key;
    }
    EXPECT_EQ(keys, kKeys) << "page " << page;
  }
}

TEST_F(LocalStoreTest, TheWalkVisitsWhatTheListingHolds) {
  std::vector<std::string> keys;
  Status walked = archive::for_each_object(store_, [&](const archive::ObjectEntry& e) {
    keys.push_back(e.key);
    return Status::ok();
  });
  ASSERT_TRUE(walked.is_ok()) << walked.to_string();
  EXPECT_EQ(keys, kKeys);
}

TEST_F(LocalStoreTest, ReadsWholeObjectsAndRanges) {
  const auto seg = name("000000010000000000000035");
  auto whole = store_.read(seg, 1 << 30);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  const Bytes bytes = whole->bytes();
  EXPECT_EQ(bytes.size(), fs::file_size(store_.object_location(seg)));
  auto range = store_.read_range(seg, 4096, 100);
  ASSERT_TRUE(range.is_ok());
  ASSERT_EQ(range->size(), 100u);
  EXPECT_TRUE(std::equal(range->begin(), range->end(), bytes.begin() + 4096));
  auto tail = store_.read_range(seg, bytes.size() - 10, 100);
  ASSERT_TRUE(tail.is_ok());
  EXPECT_EQ(tail->size(), 10u);
  auto small = store_.read(seg, bytes.size() - 1);
  ASSERT_FALSE(small.is_ok());
  EXPECT_EQ(small.status().code(), Code::kCorruption);
  EXPECT_EQ(small.status().message(), "it is too large");
  auto meta = store_.head(seg);
  ASSERT_TRUE(meta.is_ok());
  EXPECT_EQ(meta->name, "000000010000000000000035");
}

TEST_F(LocalStoreTest, AbsenceIsToldApartFromAnUnreachableArchive) {
  auto absent = store_.read(name("000000010000000000000040"), 1 << 30);
  ASSERT_FALSE(absent.is_ok());
  EXPECT_EQ(absent.status().code(), Code::kNotFound);
  EXPECT_TRUE(*store_.holds_archive());

  fs::create_directories(dir_.file("empty"));
  archive::LocalStore empty(io_, dir_.file("empty"));
  EXPECT_TRUE(empty.check_reachable().is_ok());
  EXPECT_FALSE(*empty.holds_archive());
  auto nothing = empty.list("", 10);
  ASSERT_TRUE(nothing.is_ok());
  EXPECT_TRUE(nothing->empty());

  archive::LocalStore gone(io_, dir_.file("not-there"));
  Status unreachable = gone.check_reachable();
  EXPECT_EQ(unreachable.code(), Code::kIoError);
  EXPECT_EQ(unreachable.message(),
            "could not stat \"" + dir_.file("not-there") + "\": No such file or directory");
}

TEST_F(LocalStoreTest, RemovesObjectsDurablyAndSaysWhenThereIsNone) {
  const auto seg = name("000000010000000000000034");
  ASSERT_TRUE(store_.remove(seg).is_ok());
  EXPECT_FALSE(fs::exists(store_.object_location(seg)));
  EXPECT_FALSE(*store_.contains(seg));
  EXPECT_EQ(store_.remove(seg).code(), Code::kNotFound);
  auto first = store_.list("", 1);
  ASSERT_TRUE(first.is_ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().key, kKeys[1]);
}

TEST_F(LocalStoreTest, AnotherHandleSeesTheSameArchive) {
  io::SyncIo other_io;
  std::unique_ptr<archive::Store> other = store_.open_again(other_io);
  EXPECT_EQ(other->location(), store_.location());
  auto identity = other->load_identity();
  ASSERT_TRUE(identity.is_ok());
  ASSERT_TRUE(identity->has_value());
  EXPECT_EQ((*identity)->segment_size, 1u << 20);
}

}  // namespace
}  // namespace walpipe::testing
