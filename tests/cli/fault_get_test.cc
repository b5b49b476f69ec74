// The get side of the fault catalogue (docs/faults.md): damaged, hostile or missing archive
// content. A flipped byte, a truncated or empty object, plain zstd, a zstd bomb, another segment's
// object or another cluster's under the name, a full or failing destination and a missing archive:
// get stops recovery (200 corrupt, 201 I/O) and leaves no DEST, and says 1 only when the archive
// confirms the segment is absent.
#include <gtest/gtest.h>
#include <zstd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/fault_cli.h"
#include "support/measured.h"
#include "support/mounts.h"

namespace walpipe::testing {
namespace {

namespace fs = std::filesystem;

using FaultTest = FaultFixture;

ByteVec zstd_compress(const ByteVec& input) {
  ByteVec out(ZSTD_compressBound(input.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 19);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// `megabytes` MiB of zeros as one zstd frame, streamed so the test never holds the input.
ByteVec zstd_bomb(size_t megabytes) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setPledgedSrcSize(cctx, megabytes << 20);  // the header tells the truth: it is big
  std::vector<std::byte> zeros(1 << 20);
  ByteVec out;
  std::vector<std::byte> buf(ZSTD_CStreamOutSize());
  for (size_t i = 0; i < megabytes; ++i) {
    ZSTD_inBuffer in{zeros.data(), zeros.size(), 0};
    ZSTD_EndDirective mode = i + 1 == megabytes ? ZSTD_e_end : ZSTD_e_continue;
    size_t left;
    do {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      left = ZSTD_compressStream2(cctx, &o, &in, mode);
      EXPECT_FALSE(ZSTD_isError(left));
      if (ZSTD_isError(left)) break;
      out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(o.pos));
    } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
  }
  ZSTD_freeCCtx(cctx);
  return out;
}

class GetFaults : public FaultTest {
 protected:
  void SetUp() override {
    FaultTest::SetUp();
    if (IsSkipped()) return;
    archive_ = new_archive("arch");
    ASSERT_EQ(push(archive_, source(kSeg34)).exit_code, kOk);
    ASSERT_EQ(push(archive_, source(kSeg35)).exit_code, kOk);
    object_ = object_path(archive_, name_);
    dest_ = dir_.file("RECOVERYXLOG");
  }
  CommandResult get(const std::string& name, Backend backend = Backend::kDefault) {
    return walpipe(backend_env(backend), {"get", "--archive", archive_, name, dest_});
  }
  // Replaces the object with `bytes` and checks that get refuses it with 200 on both backends,
  // quickly, leaving no DEST.
  void expect_corrupt(const ByteVec& bytes, const std::string& what) {
    SCOPED_TRACE(what);
    write_bytes(object_, bytes);
    for (Backend backend : {Backend::kDefault, Backend::kSync}) {
      SCOPED_TRACE(backend_name(backend));
      auto start = std::chrono::steady_clock::now();
      CommandResult r = get(name_, backend);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      EXPECT_EQ(r.exit_code, kGetCorrupt) << show(r);
      EXPECT_FALSE(exists(dest_)) << "DEST exists after a refused get";
      EXPECT_LT(seconds, 10.0);
      EXPECT_NE(r.err.find(name_), std::string::npos) << show(r);
    }
  }

  const std::string name_ = base_name(kSeg34);
  std::string archive_, object_, dest_;
};

TEST_F(GetFaults, FlippedByteInTheMiddle) {
  ByteVec good = file_bytes(object_);
  ByteVec bad = good;
  flip_byte(bad, bad.size() / 2, 0x01);
  expect_corrupt(bad, "one bit flipped in the middle");
  // The metadata frame's checksum and the data frames: flip a byte in each region.
  for (size_t offset : {size_t{20}, size_t{200}, good.size() / 4, good.size() * 3 / 4}) {
    bad = good;
    flip_byte(bad, offset, 0xFF);
    expect_corrupt(bad, "byte flipped at " + std::to_string(offset));
  }
}

TEST_F(GetFaults, TruncatedAndEmptyObjects) {
  ByteVec good = file_bytes(object_);
  for (size_t size :
       {good.size() / 2, good.size() - 4096, good.size() - 1, size_t{4096}, size_t{7}}) {
    ByteVec bad = good;
    truncate(bad, size);
    expect_corrupt(bad, "truncated to " + std::to_string(size));
  }
  expect_corrupt({}, "zero-length object");
  ByteVec longer = good;
  longer.resize(good.size() + 4096);
  expect_corrupt(longer, "zero bytes appended");
  ByteVec twice = good;
  twice.insert(twice.end(), good.begin(), good.end());
  expect_corrupt(twice, "object concatenated with itself");
}

TEST_F(GetFaults, PlainZstdOfTheRightBytesIsNotAnObject) {
  // A plain zstd file holding exactly the original: no metadata frame, so no fingerprint to check.
  expect_corrupt(zstd_compress(corpus_bytes(kSeg34)), "plain zstd without walpipe metadata");
}

TEST_F(GetFaults, ZstdBombIsRefusedWithBoundedMemory) {
  ByteVec bomb = zstd_bomb(256);
  ASSERT_LT(bomb.size(), 1u << 20);
  // Bare, and behind the genuine metadata frame of this very object.
  ByteVec good = file_bytes(object_);
  uint32_t meta_len = get_u32(good, 4);
  ByteVec dressed(good.begin(), good.begin() + 8 + meta_len);
  dressed.insert(dressed.end(), bomb.begin(), bomb.end());
  while (dressed.size() % 4096) dressed.push_back(std::byte{0});
  for (const ByteVec* b : {&bomb, &dressed}) {
    SCOPED_TRACE(b == &bomb ? "bare bomb" : "bomb behind real metadata");
    write_bytes(object_, *b);
    Measured m = run_measured(walpipe_argv({}, {"get", "--archive", archive_, name_, dest_}));
    EXPECT_EQ(m.result.exit_code, kGetCorrupt) << m.result.err;
    EXPECT_GT(m.max_rss_kib, 0);
    EXPECT_FALSE(exists(dest_));
    EXPECT_LT(m.seconds, 10.0);
    // 256 MiB would be decompressed if nothing bounded it; a sanitizer build peaks near 30 MiB.
    EXPECT_LT(m.max_rss_kib, 128 * 1024) << "peak RSS " << m.max_rss_kib << " KiB";
  }
}

TEST_F(GetFaults, ObjectOfAnotherSegmentUnderThisName) {
  expect_corrupt(file_bytes(object_path(archive_, base_name(kSeg35))), "the object of segment 35");
}

// DEST's disk is full: the space is asked for before any byte is written, the error names DEST,
// recovery is told it is an I/O error (not absence), and no partial DEST is left for it.
TEST_F(GetFaults, FullDestinationDiskFailsBeforeWritingAndLeavesNoDest) {
  std::string folder = dir_.file("small-pg_wal");
  fs::create_directories(folder);
  std::string why;
  std::unique_ptr<Mount> mount = Mount::tmpfs(folder, "size=512k,mode=0700", &why);
  if (!mount) WALPIPE_SKIP() << "cannot mount tmpfs: " << why;
  const std::string dest = folder + "/RECOVERYXLOG";
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    CommandResult r = walpipe(backend_env(backend), {"get", "--archive", archive_, name_, dest});
    EXPECT_EQ(r.exit_code, kGetIoError) << show(r);
    EXPECT_NE(r.err.find("could not allocate space for \"" + dest + "\": No space left on device"),
              std::string::npos)
        << show(r);
    EXPECT_FALSE(exists(dest));
  }
}

TEST_F(GetFaults, InjectedAllocationErrorLeavesNoDest) {
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    CommandResult r = walpipe(backend_env(backend, {"WALPIPE_FAULT=allocate:1:EIO"}),
                              {"get", "--archive", archive_, name_, dest_});
    EXPECT_EQ(r.exit_code, kGetIoError) << show(r);
    EXPECT_NE(r.err.find("could not allocate space for"), std::string::npos) << show(r);
    EXPECT_FALSE(exists(dest_));
  }
}

// A fault plan with a misspelt operation or count would inject nothing, and the test using it
// would pass without its fault: it is refused before anything is done.
TEST_F(GetFaults, AFaultPlanThatNamesNoOperationIsRefused) {
  for (const std::string& plan : {std::string("fsnyc:1:EIO"), std::string("fsync:1x:EIO"),
                                  std::string("fsync:0:EIO"), std::string("fsync:1:EIO,open")}) {
    CommandResult r =
        walpipe({"WALPIPE_FAULT=" + plan}, {"get", "--archive", archive_, name_, dest_});
    EXPECT_EQ(r.exit_code, kGetUsage) << plan << "\n" << show(r);
    EXPECT_FALSE(exists(dest_)) << plan;
  }
  CommandResult r =
      walpipe({"WALPIPE_FAULT=fsnyc:1:EIO"}, {"get", "--archive", archive_, name_, dest_});
  EXPECT_NE(r.err.find("unknown fault operation \"fsnyc\""), std::string::npos) << show(r);
}

TEST_F(GetFaults, MissingArchiveIsNotAbsence) {
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    CommandResult r = walpipe(backend_env(backend),
                              {"get", "--archive", dir_.file("no-such-archive"), name_, dest_});
    EXPECT_EQ(r.exit_code, kGetIoError) << show(r);
    EXPECT_FALSE(exists(dest_));
  }
}

TEST_F(GetFaults, AbsentNameIsExitOneWithoutDest) {
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    for (const std::string& name :
         {std::string("000000010000000000000077"), std::string("000000030000000000000034"),
          std::string("00000009.history"), std::string("000000010000000100000034")}) {
      CommandResult r = get(name, backend);
      EXPECT_EQ(r.exit_code, kGetNotFound) << name << "\n" << show(r);
      EXPECT_FALSE(exists(dest_)) << name;
    }
  }
}

TEST_F(GetFaults, HostileNamesAreRefusedBeforeAnyFilesystemAccess) {
  const std::string nowhere = dir_.file("no-such-archive");  // 201 if it were looked at
  for (const std::string& name :
       {std::string("../../etc/passwd"), std::string("/etc/passwd"), std::string("/abs"),
        std::string("00000001000000000000003a"), std::string("0000000100000000000000034"),
        std::string(65, '0'), std::string("000000010000000000000034/../../x"),
        std::string("000000010000000000000034\n"), std::string(""),
        std::string("../wal/0000000100000000/000000010000000000000034")}) {
    SCOPED_TRACE("name \"" + name + "\"");
    std::string dest = dir_.file("hostile-dest");
    CommandResult r = walpipe({}, {"get", "--archive", nowhere, name, dest});
    EXPECT_EQ(r.exit_code, kGetUsage) << show(r);
    EXPECT_FALSE(exists(dest));
    CommandResult r2 = walpipe({}, {"get", "--archive", archive_, name, dest});
    EXPECT_EQ(r2.exit_code, kGetUsage) << show(r2);
    EXPECT_FALSE(exists(dest));
  }
  EXPECT_FALSE(exists(nowhere));
}

TEST_F(GetFaults, DestIsPrivateWhateverTheUmask) {
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    SCOPED_TRACE(backend_name(backend));
    std::vector<std::string> argv{"/bin/sh", "-c", "umask 000; exec \"$@\"", "sh"};
    std::vector<std::string> rest =
        walpipe_argv(backend_env(backend), {"get", "--archive", archive_, name_, dest_});
    argv.insert(argv.end(), rest.begin(), rest.end());
    CommandResult r = run_command(argv);
    ASSERT_EQ(r.exit_code, kOk) << show(r);
    struct stat st;
    ASSERT_EQ(::stat(dest_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_TRUE(file_bytes(dest_) == corpus_bytes(kSeg34));
    fs::remove(dest_);
  }
}

TEST_F(FaultTest, DifferentSegmentUnderAnArchivedNameIsRefused) {
  const std::string name = base_name(kSeg34);
  const ByteVec& a = corpus_bytes(kSeg34);
  ByteVec b = padding_variant(a);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, source(kSeg34)).exit_code, kOk);
  std::string src_b = source_copy("other", name, b);
  ASSERT_EQ(walpipe({}, {"verify", src_b}).exit_code, kOk) << "the edited copy must be valid WAL";
  const Tree before = snapshot(archive);
  for (Backend backend : {Backend::kDefault, Backend::kSync}) {
    for (bool no_verify : {false, true}) {
      SCOPED_TRACE(backend_name(backend) + (no_verify ? ", --no-verify" : ""));
      std::vector<std::string> args{"push", "--archive", archive};
      if (no_verify) args.push_back("--no-verify");
      args.push_back(src_b);
      CommandResult r = walpipe(backend_env(backend), args);
      EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
      EXPECT_NE(r.err.find(fingerprint_hex(a)), std::string::npos) << show(r);
      EXPECT_NE(r.err.find(fingerprint_hex(b)), std::string::npos) << show(r);
      EXPECT_TRUE(snapshot(archive) == before) << describe(snapshot(archive));
    }
  }
  expect_restores(archive, name, a, dir_.path());
  // The original still deduplicates.
  EXPECT_EQ(push(archive, source(kSeg34)).exit_code, kOk);
}

TEST_F(FaultTest, EditedHistoryFileIsAlwaysRefused) {
  const std::string name = base_name(kHistory);
  const ByteVec& original = corpus_bytes(kHistory);
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, source(kSeg34)).exit_code, kOk);
  CommandResult first = push(archive, source(kHistory));
  ASSERT_EQ(first.exit_code, kOk) << show(first);
  EXPECT_EQ(push(archive, source(kHistory)).exit_code, kOk) << "identical re-push";
  // Edits that keep it a valid history file: another reason text, another switch point.
  std::string text(reinterpret_cast<const char*>(original.data()), original.size());
  std::vector<std::string> edits;
  std::string reason = text;
  reason.replace(reason.find("no recovery target specified"), 28, "no recovery target SPECIFIED");
  edits.push_back(reason);
  std::string lsn = text;
  lsn.replace(lsn.find("0/55000A0"), 9, "0/55000A8");
  edits.push_back(lsn);
  edits.push_back(text + "\n");  // a trailing blank line
  const Tree before = snapshot(archive);
  int i = 0;
  for (const std::string& edit : edits) {
    SCOPED_TRACE("edit " + std::to_string(i));
    ByteVec bytes(edit.size());
    std::memcpy(bytes.data(), edit.data(), edit.size());
    std::string src = source_copy("edited" + std::to_string(i++), name, bytes);
    for (bool no_verify : {false, true}) {
      std::vector<std::string> args{"push", "--archive", archive};
      if (no_verify) args.push_back("--no-verify");
      args.push_back(src);
      CommandResult r = walpipe({}, args);
      EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
      EXPECT_NE(r.err.find(fingerprint_hex(original)), std::string::npos) << show(r);
      EXPECT_NE(r.err.find(fingerprint_hex(bytes)), std::string::npos) << show(r);
      EXPECT_TRUE(snapshot(archive) == before);
    }
  }
  expect_restores(archive, name, original, dir_.path());
}

TEST_F(FaultTest, SegmentOfAnotherClusterIsRefusedBeforeAnythingIsWritten) {
  std::string archive = new_archive("arch");
  ASSERT_EQ(push(archive, source(kSeg34)).exit_code, kOk);
  const Tree before = snapshot(archive);
  for (const char* other : {kOtherClusterSameFolder, kOtherClusterNewFolder}) {
    for (Backend backend : {Backend::kDefault, Backend::kSync}) {
      SCOPED_TRACE(std::string(other) + ", " + backend_name(backend));
      std::string src = source_copy("cluster2", base_name(other), corpus_bytes(other));
      ASSERT_EQ(walpipe({}, {"verify", src}).exit_code, kOk);
      CommandResult r = walpipe(backend_env(backend), {"push", "--archive", archive, src});
      EXPECT_EQ(r.exit_code, kPushRefused) << show(r);
      EXPECT_NE(r.err.find("different database system"), std::string::npos) << show(r);
      Tree after = snapshot(archive);
      EXPECT_TRUE(after == before) << "before:\n"
                                   << describe(before) << "after:\n"
                                   << describe(after);
      // Put the listing back so the next case starts from the same archive.
      for (const auto& [path, what] : after)
        if (!before.count(path)) fs::remove_all(archive + "/" + path);
    }
  }
  expect_restores(archive, base_name(kSeg34), corpus_bytes(kSeg34), dir_.path());
}

}  // namespace
}  // namespace walpipe::testing
