// Concurrent pushers (docs/faults.md, "Fault catalogue"): eight pushers of one segment, pushers of
// different content under one name, and pushers superseding a copy stored with --no-verify. One
// object results, whole, and no verified object is ever replaced.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/fault_cli.h"

namespace walpipe::testing {
namespace {

using FaultTest = FaultFixture;

TEST_F(FaultTest, EightPushersOfTheSameSegment) {
  std::string src = source(kSeg34);
  const std::string name = base_name(kSeg34);
  for (int round = 0; round < 4; ++round) {
    Backend backend = round % 2 ? Backend::kSync : Backend::kDefault;
    SCOPED_TRACE("round " + std::to_string(round) + ", " + backend_name(backend));
    // Rounds 0 and 1 start on an empty archive (the identity races too), 2 and 3 on a seeded one.
    std::string archive = new_archive("arch-" + std::to_string(round));
    if (round >= 2) {
      ASSERT_EQ(push(archive, source(kSeg35)).exit_code, kOk);
    }
    std::vector<std::vector<std::string>> argvs(
        8, walpipe_argv(backend_env(backend), {"push", "--archive", archive, src}));
    std::vector<CommandResult> results = run_together(argvs);
    for (const CommandResult& r : results) EXPECT_EQ(r.exit_code, kOk) << show(r);
    EXPECT_EQ(
        entries(object_path(archive, name).substr(0, object_path(archive, name).rfind('/'))).size(),
        round >= 2 ? 2u : 1u);
    EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    expect_restores(archive, name, corpus_bytes(kSeg34), dir_.path(), backend);
  }
}

TEST_F(FaultTest, ConcurrentPushersOfDifferentContentUnderOneName) {
  const std::string name = base_name(kSeg34);
  const ByteVec& a = corpus_bytes(kSeg34);
  ByteVec b = padding_variant(a);
  ASSERT_FALSE(a == b);
  std::string src_a = source(kSeg34);
  std::string src_b = source_copy("other", name, b);
  ASSERT_EQ(walpipe({}, {"verify", src_b}).exit_code, kOk) << "the edited copy must be valid WAL";
  const std::string fp_a = fingerprint_hex(a), fp_b = fingerprint_hex(b);
  for (int round = 0; round < 6; ++round) {
    // 1 against 1, then 4 against 4.
    const int per_side = round < 4 ? 1 : 4;
    Backend backend = round % 2 ? Backend::kSync : Backend::kDefault;
    SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(per_side) +
                 " per side, " + backend_name(backend));
    std::string archive = new_archive("arch-" + std::to_string(round));
    std::vector<std::vector<std::string>> argvs;
    for (int i = 0; i < per_side; ++i) {
      argvs.push_back(walpipe_argv(backend_env(backend), {"push", "--archive", archive, src_a}));
      argvs.push_back(walpipe_argv(backend_env(backend), {"push", "--archive", archive, src_b}));
    }
    std::vector<CommandResult> results = run_together(argvs);
    int ok_a = 0, ok_b = 0, refused = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      const CommandResult& r = results[i];
      if (r.exit_code == kOk) {
        (i % 2 == 0 ? ok_a : ok_b)++;
      } else {
        EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
        ++refused;
        EXPECT_NE(r.err.find(fp_a), std::string::npos) << "loser does not name " << fp_a << "\n"
                                                       << show(r);
        EXPECT_NE(r.err.find(fp_b), std::string::npos) << "loser does not name " << fp_b << "\n"
                                                       << show(r);
      }
    }
    // One side wins entirely, the other is refused entirely.
    EXPECT_TRUE((ok_a == per_side && ok_b == 0) || (ok_b == per_side && ok_a == 0))
        << "ok_a " << ok_a << ", ok_b " << ok_b;
    EXPECT_EQ(refused, per_side);
    EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    expect_restores(archive, name, ok_b > 0 ? b : a, dir_.path(), backend);
  }
}

// Pushers of the finished segment racing onto a copy stored with --no-verify: it is superseded
// once and kept once. Racing with a different valid copy, one side wins entirely and the other
// is refused: the winner's verified object is never replaced.
TEST_F(FaultTest, ConcurrentSupersedersTakeTurns) {
  const std::string name = base_name(kSeg34);
  const ByteVec& a = corpus_bytes(kSeg34);
  ByteVec half = a;
  std::fill(half.begin() + 512 * 1024, half.end(), std::byte{0});
  ByteVec b = padding_variant(a);
  const std::string src_half = source_copy("by-hand", name, half);
  const std::string src_a = source(kSeg34);
  const std::string src_b = source_copy("other", name, b);
  for (int round = 0; round < 4; ++round) {
    const bool mixed = round >= 2;
    Backend backend = round % 2 ? Backend::kSync : Backend::kDefault;
    SCOPED_TRACE("round " + std::to_string(round) + (mixed ? ", two contents, " : ", ") +
                 backend_name(backend));
    std::string archive = new_archive("sup-" + std::to_string(round));
    CommandResult stored = walpipe({}, {"push", "--no-verify", "--archive", archive, src_half});
    ASSERT_EQ(stored.exit_code, kOk) << show(stored);
    std::vector<std::vector<std::string>> argvs;
    for (int i = 0; i < 6; ++i)
      argvs.push_back(walpipe_argv(backend_env(backend), {"push", "--batch=1", "--archive", archive,
                                                          mixed && i % 2 ? src_b : src_a}));
    std::vector<CommandResult> results = run_together(argvs);
    int superseding = 0, ok_a = 0, ok_b = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      const CommandResult& r = results[i];
      if (r.exit_code != kOk) {
        EXPECT_TRUE(mixed) << show(r);
        EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
        continue;
      }
      (mixed && i % 2 ? ok_b : ok_a)++;
      if (r.err.find("superseded the copy archived with --no-verify") != std::string::npos)
        ++superseding;
      else
        EXPECT_EQ(r.err, "") << show(r);
    }
    EXPECT_EQ(superseding, 1);
    EXPECT_TRUE(ok_a == 0 || ok_b == 0) << "ok_a " << ok_a << ", ok_b " << ok_b;
    EXPECT_EQ(ok_a + ok_b, mixed ? 3 : 6);
    EXPECT_EQ(entries(archive + "/superseded").size(), 1u);
    EXPECT_TRUE(exists(archive + "/superseded/" + name + "." + fingerprint_hex(half) + ".zst"));
    EXPECT_TRUE(entries(archive + "/.tmp").empty()) << join(entries(archive + "/.tmp"));
    expect_restores(archive, name, ok_b > 0 ? b : a, dir_.path(), backend);
  }
}

}  // namespace
}  // namespace walpipe::testing
