// Pushing a run of files as a pipeline with two buffers.
#include "pipeline/batch_push.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "archive/local/local_store.h"
#include "io/uring_io.h"
#include "pipeline/get.h"
#include "pipeline/verify.h"
#include "support/corpus.h"
#include "support/files.h"
#include "support/scratch_dir.h"
#include "support/verified.h"

namespace walpipe::testing {
namespace {

TEST(PushFiles, ArchivesARunAndKeepsGoingPastAFailure) {
  WALPIPE_REQUIRE_CORPUS();
  ScratchDir dir;
  std::vector<std::string> sources;
  for (const char* seg : {"34", "35", "36"}) {
    std::string name = std::string("0000000100000000000000") + seg;
    sources.push_back(dir.write("pg_wal/" + name, corpus_bytes("pg16/1mb/" + name)));
  }
  sources.insert(sources.begin() + 1, dir.file("pg_wal/000000010000000000000040"));  // missing
  std::filesystem::create_directories(dir.file("archive"));
  io::SyncIo sync;
  archive::LocalStore store(sync, dir.file("archive"));
  auto results = pipeline::push_files(sources, store, pipeline::PushOptions{},
                                      io::default_io_factory(io::IoChoice::kAuto));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_FALSE(results[1].is_ok());
  EXPECT_EQ(results[1].status().code(), Code::kNotFound);
  for (size_t i : {0u, 2u, 3u}) {
    ASSERT_TRUE(results[i].is_ok()) << results[i].status().to_string();
    EXPECT_EQ(results[i]->outcome, archive::CommitOutcome::kWritten);
  }
  pipeline::VerifyOptions options;
  options.require_contiguous = true;
  auto verified = testing::verify_files({dir.file("archive")}, options);
  ASSERT_EQ(verified.size(), 3u);
  for (const auto& f : verified) EXPECT_TRUE(f.report.valid()) << f.path;
}

// Two buffers serve the whole run: each object, whatever its buffer held before (a larger
// object, other content), must restore to exactly its own segment.
TEST(PushFiles, RecycledBuffersGiveEveryObjectExactlyItsOwnBytes) {
  WALPIPE_REQUIRE_CORPUS();
  for (const std::vector<std::string>& run :
       {std::vector<std::string>{
            "pg15/pgbench/00000001000000000000002C", "pg15/pgbench/000000010000000000000040",
            "pg15/pgbench/0000000100000001000000D0", "pg15/pgbench/0000000100000001000000E8"},
        std::vector<std::string>{
            "pg16/1mb/000000010000000000000034", "pg16/1mb/000000010000000000000035",
            "pg16/1mb/000000010000000000000036", "pg16/1mb/000000010000000000000039",
            "pg16/1mb/000000010000000000000005", "pg16/1mb/000000010000000000000009"}}) {
    ScratchDir dir;
    std::vector<std::string> sources;
    for (const std::string& rel : run)
      sources.push_back(dir.write("pg_wal/" + base_name(rel), corpus_bytes(rel)));
    std::filesystem::create_directories(dir.file("archive"));
    io::IoFactory make_io = io::default_io_factory(io::IoChoice::kAuto);
    auto io = make_io();
    archive::LocalStore store(*io, dir.file("archive"));
    auto results = pipeline::push_files(sources, store, pipeline::PushOptions{}, make_io);
    for (const auto& r : results) ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    for (size_t i = 0; i < run.size(); ++i) {
      std::string restored = dir.file("restored-" + base_name(run[i]));
      auto got =
          pipeline::get_file(*io, store, base_name(run[i]), restored, pipeline::GetOptions{});
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      EXPECT_TRUE(file_bytes(restored) == corpus_bytes(run[i])) << run[i];
    }
  }
}

}  // namespace
}  // namespace walpipe::testing
