// SIGKILL right before every I/O step of a push (docs/faults.md, "Fault catalogue"), on both
// backends, into a fresh archive, onto an identical object and while superseding a copy stored
// with --no-verify: a final object is either absent or complete, `walpipe get` restores it byte
// for byte, and PostgreSQL's retry finishes the job. Also: the shipped binary injects nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "archive/local/commit.h"
#include "io/io.h"
#include "support/fault_cli.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

using FaultTest = FaultFixture;

// The shipped walpipe is built without the fault injector: a plan in its environment, even one
// walpipe-fault would refuse, changes nothing, while the same plan does stop walpipe-fault.
TEST_F(FaultTest, TheShippedBinaryCannotInjectFaults) {
  std::string src = source(kSeg34);
  std::string archive = new_archive("arch");
  for (const std::string plan : {"step:1:kill", "fsnyc:1:EIO"}) {
    CommandResult r = run_command(walpipe_argv(
        {"WALPIPE_FAULT=" + plan}, {"push", "--archive", archive, src}, WALPIPE_BINARY));
    EXPECT_EQ(r.exit_code, kOk) << plan << "\n" << show(r);
  }
  expect_restores(archive, base_name(kSeg34), corpus_bytes(kSeg34), dir_.path());
  CommandResult killed = push(new_archive("arch-fault"), src, {"WALPIPE_FAULT=step:1:kill"});
  EXPECT_EQ(killed.exit_code, kKilled) << show(killed);
}

class KillEveryStep : public FaultTest, public ::testing::WithParamInterface<Backend> {};

TEST_P(KillEveryStep, FreshArchiveNeverShowsAPartialObject) {
  const std::string name = base_name(kSeg34);
  const ByteVec& original = corpus_bytes(kSeg34);
  std::string src = source(kSeg34);
  int completed_at = 0;
  for (int n = 1; n <= 200 && completed_at == 0; ++n) {
    SCOPED_TRACE(backend_name(GetParam()) + ", killed before step " + std::to_string(n));
    std::string archive = new_archive("arch-" + std::to_string(n));
    CommandResult killed =
        push(archive, src,
             backend_env(GetParam(), {"WALPIPE_FAULT=step:" + std::to_string(n) + ":kill"}));
    if (killed.exit_code == kOk) {
      completed_at = n;  // the push needed fewer than n steps
    } else {
      ASSERT_EQ(killed.exit_code, kKilled) << show(killed);
    }
    expect_absent_or_complete(archive, name, original, dir_.path());
    // PostgreSQL retries: the plain push must succeed whatever the kill left behind.
    CommandResult again = push(archive, src, backend_env(GetParam()));
    ASSERT_EQ(again.exit_code, kOk) << show(again);
    if (completed_at != 0)
      expect_restores(archive, name, original, dir_.path(), GetParam());
    else
      expect_gets_original(archive, name, original, dir_.path(), GetParam());
    fs::remove_all(archive);
  }
  // Reading, three folders, the identity and the object take well over ten steps: a smaller
  // count means the fault injection did not reach the push.
  EXPECT_GT(completed_at, 10) << "push completed before step " << completed_at;
}

TEST_P(KillEveryStep, DedupPathLeavesTheObjectUntouched) {
  const std::string name = base_name(kSeg34);
  const ByteVec& original = corpus_bytes(kSeg34);
  std::string src = source(kSeg34);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, src).exit_code, kOk);
  const Tree before = snapshot(archive);
  int completed_at = 0;
  for (int n = 1; n <= 200 && completed_at == 0; ++n) {
    SCOPED_TRACE(backend_name(GetParam()) + ", dedup push killed before step " + std::to_string(n));
    CommandResult killed =
        push(archive, src,
             backend_env(GetParam(), {"WALPIPE_FAULT=step:" + std::to_string(n) + ":kill"}));
    if (killed.exit_code == kOk) {
      completed_at = n;
    } else {
      ASSERT_EQ(killed.exit_code, kKilled) << show(killed);
    }
    Tree after = snapshot(archive);
    ASSERT_TRUE(after == before) << "before:\n"
                                 << describe(before) << "after:\n"
                                 << describe(after);
  }
  EXPECT_GT(completed_at, 5);
  CommandResult again = push(archive, src, backend_env(GetParam()));
  ASSERT_EQ(again.exit_code, kOk) << show(again);
  expect_restores(archive, name, original, dir_.path(), GetParam());
}

// The finished segment superseding a copy stored with --no-verify (archive/supersede.h), killed
// before each step: the name always holds the old object or the new one, the old one is kept
// from the moment the new one is there, and PostgreSQL's retry finishes the job. The steps of
// superseding (lock, link, the rename that replaces) are plain syscalls on both backends, and
// the writes before them are those of FreshArchiveNeverShowsAPartialObject: one backend is run.
TEST_F(FaultTest, KillingASupersedingPushAtEveryStepLosesNothing) {
  const Backend backend = Backend::kDefault;
  const std::string name = base_name(kSeg34);
  const ByteVec& full = corpus_bytes(kSeg34);
  ByteVec half = full;
  std::fill(half.begin() + 512 * 1024, half.end(), std::byte{0});
  const std::string src_half = source_copy("by-hand", name, half);
  const std::string src_full = source(kSeg34);
  const std::string seeded = new_archive("seeded");
  CommandResult stored = walpipe({}, {"push", "--no-verify", "--archive", seeded, src_half});
  ASSERT_EQ(stored.exit_code, kOk) << show(stored);
  const std::string kept_name = "superseded/" + name + "." + fingerprint_hex(half) + ".zst";
  io::SyncIo io;
  auto held = [&](const std::string& path) {
    auto meta = archive::read_object_metadata(io, path);
    return meta.is_ok() ? meta->fingerprint.hex() : "none: " + meta.status().to_string();
  };
  int completed_at = 0;
  for (int n = 1; n <= 200 && completed_at == 0; ++n) {
    SCOPED_TRACE(backend_name(backend) + ", killed before step " + std::to_string(n));
    std::string archive = dir_.file("arch-" + std::to_string(n));
    fs::copy(seeded, archive, fs::copy_options::recursive);
    CommandResult killed =
        push(archive, src_full,
             backend_env(backend, {"WALPIPE_FAULT=step:" + std::to_string(n) + ":kill"}));
    if (killed.exit_code == kOk) {
      completed_at = n;
    } else {
      ASSERT_EQ(killed.exit_code, kKilled) << show(killed);
    }
    const std::string now = held(object_path(archive, name));
    ASSERT_TRUE(now == fingerprint_hex(half) || now == fingerprint_hex(full)) << now;
    if (now == fingerprint_hex(full)) {
      ASSERT_EQ(held(archive + "/" + kept_name), fingerprint_hex(half));
    }
    CommandResult again = push(archive, src_full, backend_env(backend));
    ASSERT_EQ(again.exit_code, kOk) << show(again);
    ASSERT_EQ(held(object_path(archive, name)), fingerprint_hex(full));
    ASSERT_EQ(held(archive + "/" + kept_name), fingerprint_hex(half));
    EXPECT_EQ(entries(archive + "/superseded").size(), 1u);
    if (completed_at != 0) expect_restores(archive, name, full, dir_.path(), backend);
    fs::remove_all(archive);
  }
  // Reading, both metadata frames, the object, the lock, the link, the rename and the fsyncs.
  EXPECT_GT(completed_at, 15) << "push completed before step " << completed_at;
}

INSTANTIATE_TEST_SUITE_P(Backends, KillEveryStep,
                         ::testing::Values(Backend::kDefault, Backend::kSync),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return std::string(p.param == Backend::kSync ? "sync" : "io_uring");
                         });

}  // namespace
}  // namespace walpipe::testing
