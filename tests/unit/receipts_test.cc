// pipeline/receipts: what the look-ahead worker leaves for PostgreSQL's own call of a file it
// archived in a remote store. A receipt confirms only the content, the archive and the settings
// it was left for, once, while fresh, and only from files this user alone can write.
#include "pipeline/receipts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>

#include "io/uring_io.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

constexpr char kName[] = "000000010000000000000034";
constexpr uint64_t kSize = 16u << 20;
const Fingerprint kContent{0x0123456789abcdefull, 0xfedcba9876543210ull};
const Fingerprint kOtherContent{0x0123456789abcdefull, 0xfedcba9876543211ull};

class ReceiptsTest : public ::testing::Test {
 protected:
  pipeline::Receipts receipts(const std::string& scope = "s3://bucket/db1\nverify\n") const {
    return pipeline::Receipts(dir_.path(), scope);
  }
  std::string receipt_path() const { return dir_.file(std::string(kName) + ".receipt"); }
  void record() const { ASSERT_TRUE(receipts().record(io_, kName, kContent, kSize).is_ok()); }
  bool redeem(const Fingerprint& content = kContent, uint64_t size = kSize) const {
    return receipts().redeem(io_, kName, content, size);
  }

  ScratchDir dir_;
  mutable io::SyncIo io_;
};

TEST_F(ReceiptsTest, ConfirmsTheContentItWasLeftForOnce) {
  EXPECT_FALSE(receipts().left_for(kName));
  record();
  EXPECT_TRUE(receipts().left_for(kName));
  EXPECT_TRUE(redeem());
  EXPECT_FALSE(receipts().left_for(kName));
  EXPECT_FALSE(redeem());
  // Nothing else is left beside it: the temporary was renamed into place.
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(ReceiptsTest, OtherContentIsNotConfirmedAndTakesTheReceipt) {
  record();
  EXPECT_FALSE(redeem(kOtherContent));
  EXPECT_FALSE(receipts().left_for(kName));
  EXPECT_FALSE(redeem());
  record();
  EXPECT_FALSE(redeem(kContent, kSize - 1));
}

TEST_F(ReceiptsTest, OtherArchivesOrSettingsAreNotConfirmed) {
  record();
  // left_for answers whatever the scope: a waiting call stops waiting, then asks the store.
  EXPECT_TRUE(receipts("s3://bucket/db2\nverify\n").left_for(kName));
  EXPECT_FALSE(receipts("s3://bucket/db2\nverify\n").redeem(io_, kName, kContent, kSize));
  record();
  EXPECT_FALSE(receipts("s3://bucket/db1\nno-verify\n").redeem(io_, kName, kContent, kSize));
}

TEST_F(ReceiptsTest, ADamagedReceiptConfirmsNothing) {
  record();
  std::filesystem::resize_file(receipt_path(), 20);
  EXPECT_FALSE(redeem());
  record();
  std::string text;
  {
    FILE* file = std::fopen(receipt_path().c_str(), "r+");
    ASSERT_NE(file, nullptr);
    char bytes[256] = {};
    size_t n = std::fread(bytes, 1, sizeof bytes, file);
    text.assign(bytes, n);
    // One digit of the size, as a crash could leave it: same length, other content.
    std::fseek(file, static_cast<long>(n - 2), SEEK_SET);
    std::fputc(text[n - 2] == '1' ? '2' : '1', file);
    std::fclose(file);
  }
  EXPECT_EQ(text.rfind("walpipe receipt 1 ", 0), 0u) << text;
  EXPECT_FALSE(redeem());
}

TEST_F(ReceiptsTest, AStaleReceiptConfirmsNothing) {
  record();
  const auto stale = std::filesystem::file_time_type::clock::now() -
                     std::chrono::seconds(pipeline::Receipts::kLifetimeSeconds + 5);
  std::filesystem::last_write_time(receipt_path(), stale);
  EXPECT_FALSE(redeem());
  EXPECT_FALSE(receipts().left_for(kName));
}

TEST_F(ReceiptsTest, PruneRemovesOnlyStaleReceiptsAndTheirTemporaries) {
  record();
  const std::string fresh = receipt_path();
  const std::string stale = dir_.file("000000010000000000000033.receipt");
  const std::string left = dir_.file("000000010000000000000033.receipt.4242.tmp");
  const std::string other = dir_.file("lookahead.lock");
  for (const std::string& path : {stale, left, other}) ScratchDir::write_file(path, "x");
  const auto old = std::filesystem::file_time_type::clock::now() -
                   std::chrono::seconds(pipeline::Receipts::kLifetimeSeconds + 5);
  for (const std::string& path : {stale, left, other}) std::filesystem::last_write_time(path, old);
  receipts().prune(io_);
  EXPECT_TRUE(std::filesystem::exists(fresh));
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_FALSE(std::filesystem::exists(left));
  EXPECT_TRUE(std::filesystem::exists(other));
}

// Another user who can write the receipt, or the folder it is in, could acknowledge a file
// that was never archived.
TEST_F(ReceiptsTest, OnlyReceiptsNobodyElseCanWriteConfirm) {
  record();
  ASSERT_EQ(::chmod(receipt_path().c_str(), 0620), 0);
  EXPECT_FALSE(redeem());
  record();
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0777), 0);
  EXPECT_FALSE(redeem());
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0700), 0);
  record();
  EXPECT_TRUE(redeem());
}

}  // namespace
}  // namespace walpipe::testing
