// Overlapped pushing of a run of files, and the bounded queue between its two halves.
#include "pipeline/batch_push.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "io/uring_io.h"
#include "pipeline/queue.h"
#include "pipeline/verify.h"
#include "support/corpus.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

TEST(BoundedQueue, BlocksWhenFullAndEndsWhenClosedAndDrained) {
  pipeline::BoundedQueue<int> q(1);
  ASSERT_TRUE(q.push(1));
  std::thread producer([&] { EXPECT_TRUE(q.push(2)); });  // waits for room
  EXPECT_EQ(q.pop(), std::optional<int>(1));
  producer.join();
  q.close();
  EXPECT_EQ(q.pop(), std::optional<int>(2));
  EXPECT_EQ(q.pop(), std::nullopt);
  EXPECT_FALSE(q.push(3));
}

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
  archive::Layout layout(dir.file("archive"));
  auto results = pipeline::push_files(sources, layout, pipeline::PushOptions{}, [] {
    std::string why;
    return io::make_default_io(&why);
  });
  ASSERT_EQ(results.size(), 4u);
  EXPECT_FALSE(results[1].is_ok());
  EXPECT_EQ(results[1].status().code(), Code::kNotFound);
  for (size_t i : {0u, 2u, 3u}) {
    ASSERT_TRUE(results[i].is_ok()) << results[i].status().to_string();
    EXPECT_EQ(results[i]->outcome, archive::CommitOutcome::kWritten);
  }
  pipeline::VerifyOptions options;
  options.require_contiguous = true;
  auto verified = pipeline::verify_files({dir.file("archive")}, options);
  ASSERT_EQ(verified.size(), 3u);
  for (const auto& f : verified) EXPECT_TRUE(f.report.valid()) << f.path;
}

}  // namespace
}  // namespace walpipe::testing
