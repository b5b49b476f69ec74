// The walpipe binary as PostgreSQL and operators see it: exit codes (tools/exit_codes.h), the
// exact usage-error lines (tools/cli.cc), text and JSON reports, and hostile input files that
// must be refused with a one-line reason, quickly and without a crash (docs/style.md practice 13:
// "--help and bad arguments are tested on every command").
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "exit_codes.h"
#include "support/corpus.h"
#include "support/corrupt.h"
#include "support/prerequisite.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {
namespace {

using exit_code::kOk;
using exit_code::kUsage;
constexpr int kProblems = exit_code::kVerifyProblems;

constexpr const char* kPg16 = "pg16/1mb/000000010000000000000034";

std::string corpus_path(const std::string& relative) {
  return corpus_dir() + "/" + relative + ".zst";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

size_t count_lines_starting_with(const std::string& text, const std::string& prefix) {
  size_t n = 0;
  for (const std::string& line : lines_of(text))
    if (line.rfind(prefix, 0) == 0) ++n;
  return n;
}

std::string show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

// The two lines every usage error prints (tools/cli.cc usage_error).
std::string usage_lines(const std::string& command, const std::string& message) {
  std::string prefix = command.empty() ? "walpipe" : "walpipe " + command;
  std::string help = command.empty() ? "walpipe --help" : "walpipe " + command + " --help";
  return prefix + ": error: " + message + "\n" + prefix + ": hint: Try \"" + help +
         "\" for more information.\n";
}

// walpipe with `args` exits with the usage-error code and usage_lines(command, message).
CommandResult usage_error(const std::vector<std::string>& args, const std::string& command,
                          const std::string& message) {
  CommandResult r = run_walpipe(args);
  EXPECT_EQ(r.exit_code, kUsage) << show(r);
  EXPECT_EQ(r.err, usage_lines(command, message));
  return r;
}

// ---------------------------------------------------------------------------------------------
// A small strict JSON parser (RFC 8259 grammar, no extensions), enough to check that --json
// output is one well-formed document and to read fields from it.
// ---------------------------------------------------------------------------------------------

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject } type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  const Json& operator[](const std::string& key) const {
    static const Json missing;
    auto it = object.find(key);
    return it == object.end() ? missing : it->second;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : s_(text) {}

  // False, with error() set, unless `text` is exactly one JSON value plus whitespace.
  bool parse(Json* out) {
    skip_ws();
    if (!value(out, 0)) return false;
    skip_ws();
    if (pos_ != s_.size()) return fail("trailing characters");
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  bool fail(const std::string& why) {
    if (error_.empty()) error_ = why + " at offset " + std::to_string(pos_);
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool literal(const char* word) {
    size_t n = std::strlen(word);
    if (s_.compare(pos_, n, word) != 0) return fail(std::string("expected ") + word);
    pos_ += n;
    return true;
  }
  bool value(Json* out, int depth) {
    if (depth > 64) return fail("nesting too deep");
    if (pos_ >= s_.size()) return fail("unexpected end");
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      out->type = Json::Type::kString;
      return string(&out->string);
    }
    if (c == 't' || c == 'f') {
      out->type = Json::Type::kBool;
      out->boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      out->type = Json::Type::kNull;
      return literal("null");
    }
    return number(out);
  }
  bool number(Json* out) {
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[pos_])))
      return fail("bad value");
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (pos_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[pos_])))
        return fail("bad fraction");
      while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[pos_])))
        return fail("bad exponent");
      while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    out->type = Json::Type::kNumber;
    out->number = std::stod(s_.substr(start, pos_ - start));
    return true;
  }
  bool string(std::string* out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return fail("control character in string");
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      // The escapes that stand for one character, and the characters they stand for.
      static constexpr std::string_view kEscaped = "\"\\/bfnrt", kMeant = "\"\\/\b\f\n\r\t";
      if (size_t k = kEscaped.find(e); k != std::string_view::npos) {
        out->push_back(kMeant[k]);
        continue;
      }
      if (e != 'u') return fail("bad escape");
      if (pos_ + 4 > s_.size()) return fail("short \\u escape");
      for (int i = 0; i < 4; ++i)
        if (!isxdigit(static_cast<unsigned char>(s_[pos_ + i]))) return fail("bad \\u escape");
      unsigned code = std::stoul(s_.substr(pos_, 4), nullptr, 16);
      pos_ += 4;
      if (code < 0x80)
        out->push_back(static_cast<char>(code));
      else
        out->append("?");  // the tests only compare ASCII
    }
    return fail("unterminated string");
  }
  bool array(Json* out, int depth) {
    out->type = Json::Type::kArray;
    ++pos_;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_ws();
      Json item;
      if (!value(&item, depth + 1)) return false;
      out->array.push_back(std::move(item));
      skip_ws();
      if (pos_ >= s_.size()) return fail("unterminated array");
      char c = s_[pos_++];
      if (c == ']') return true;
      if (c != ',') return fail("expected , or ]");
    }
  }
  bool object(Json* out, int depth) {
    out->type = Json::Type::kObject;
    ++pos_;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected key");
      std::string key;
      if (!string(&key)) return false;
      if (out->object.count(key)) return fail("duplicate key " + key);
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_++] != ':') return fail("expected :");
      skip_ws();
      Json item;
      if (!value(&item, depth + 1)) return false;
      out->object.emplace(std::move(key), std::move(item));
      skip_ws();
      if (pos_ >= s_.size()) return fail("unterminated object");
      char c = s_[pos_++];
      if (c == '}') return true;
      if (c != ',') return fail("expected , or }");
    }
  }

  const std::string& s_;
  size_t pos_ = 0;
  std::string error_;
};

// Parses --json output; fails the test when it is not one JSON document.
Json parse_json(const std::string& text) {
  Json doc;
  JsonParser parser(text);
  EXPECT_TRUE(parser.parse(&doc)) << parser.error() << "\n" << text;
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Help and usage errors.
// ---------------------------------------------------------------------------------------------

TEST(CliHelp, MainHelpExitsZeroWithUsage) {
  CommandResult r = run_walpipe({"--help"});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_NE(r.out.find("Usage:"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("walpipe COMMAND"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("verify"), std::string::npos) << show(r);
  EXPECT_EQ(r.err, "");
}

TEST(CliHelp, QuestionMarkIsHelpToo) {
  CommandResult r = run_walpipe({"-?"});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_NE(r.out.find("Usage:"), std::string::npos) << show(r);
}

TEST(CliHelp, VersionPrintsTheProgramName) {
  CommandResult r = run_walpipe({"--version"});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_EQ(r.out.rfind("walpipe ", 0), 0u) << show(r);
}

TEST(CliHelp, VerifyHelpExitsZeroWithUsage) {
  CommandResult r = run_walpipe({"verify", "--help"});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_NE(r.out.find("Usage:"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("walpipe verify [OPTION]... PATH..."), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("Exit status"), std::string::npos) << show(r);
  EXPECT_EQ(r.err, "");
}

TEST(CliHelp, VerifyHelpWinsOverOtherArguments) {
  CommandResult r = run_walpipe({"verify", "/nonexistent", "-?"});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_NE(r.out.find("Usage:"), std::string::npos) << show(r);
}

TEST(CliUsage, NoCommandIsUsageError) {
  CommandResult r = usage_error({}, "", "no command given");
  EXPECT_EQ(r.out, "");
}

TEST(CliUsage, UnknownCommandIsUsageError) {
  CommandResult r = usage_error({"frobnicate"}, "", "unknown command \"frobnicate\"");
  EXPECT_EQ(r.out, "");
}

TEST(CliUsage, UnknownOptionIsUsageError) {
  CommandResult r = usage_error({"verify", "--frobnicate", corpus_path(kPg16)}, "verify",
                                "unrecognized option \"--frobnicate\"");
  EXPECT_EQ(r.out, "");
}

TEST(CliUsage, UnknownShortOptionIsUsageError) {
  usage_error({"verify", "-x", corpus_path(kPg16)}, "verify", "unrecognized option \"-x\"");
}

TEST(CliUsage, VerifyWithoutPathIsUsageError) {
  CommandResult r = usage_error({"verify"}, "verify", "no PATH given");
  EXPECT_EQ(r.out, "");
}

TEST(CliUsage, ZeroJobsIsUsageError) {
  CommandResult r = usage_error({"verify", "--jobs=0", corpus_path(kPg16)}, "verify",
                                "invalid value \"0\" for option --jobs");
  EXPECT_EQ(r.out, "");
}

TEST(CliUsage, NonNumericJobsIsUsageError) {
  usage_error({"verify", "-j", "many", corpus_path(kPg16)}, "verify",
              "invalid value \"many\" for option --jobs");
}

TEST(CliUsage, JobsWithoutValueIsUsageError) {
  usage_error({"verify", "--jobs"}, "verify", "option \"--jobs\" requires a value");
}

TEST(CliUsage, FlagWithValueIsUsageError) {
  usage_error({"verify", "--json=yes", corpus_path(kPg16)}, "verify",
              "option \"--json\" does not take a value");
}

TEST(CliUsage, NonexistentPathIsExitTwoNamingThePath) {
  ScratchDir dir;
  std::string missing = dir.file("000000010000000000000001");
  CommandResult r = run_walpipe({"verify", missing});
  EXPECT_EQ(r.exit_code, kUsage) << show(r);
  EXPECT_EQ(r.err.rfind("walpipe verify: error: ", 0), 0u) << show(r);
  EXPECT_NE(r.err.find("\"" + missing + "\""), std::string::npos) << show(r);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << show(r);
}

TEST(CliUsage, FolderWithoutWalFilesIsExitTwo) {
  ScratchDir dir;
  dir.write("notes.txt", std::string("not WAL\n"));
  CommandResult r = run_walpipe({"verify", dir.path()});
  EXPECT_EQ(r.exit_code, kUsage) << show(r);
  EXPECT_EQ(r.err, "walpipe verify: error: no WAL files found\n");
}

// ---------------------------------------------------------------------------------------------
// Reports on real files.
// ---------------------------------------------------------------------------------------------

class CliVerify : public ::testing::Test {
 protected:
  void SetUp() override { WALPIPE_REQUIRE_CORPUS(); }
  // A copy of pg16 …34 with one body byte of a record in the middle flipped.
  std::string damaged_copy() {
    ByteVec bytes = corpus_bytes(kPg16);
    std::vector<RecordLocation> records = records_within_one_page(bytes);
    EXPECT_GT(records.size(), 100u);
    const RecordLocation& rec = records[records.size() / 2];
    damaged_offset_ = rec.offset;
    flip_byte(bytes, rec.offset + rec.tot_len - 1, 0x01);
    return dir_.write("000000010000000000000034", bytes);
  }
  ScratchDir dir_;
  uint64_t damaged_offset_ = 0;
};

TEST_F(CliVerify, ValidCompressedCorpusFileIsOk) {
  std::string path = corpus_path(kPg16);
  CommandResult r = run_walpipe({"verify", path});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_NE(r.out.find(path + ": ok: PostgreSQL 16"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("verified 1 files: 1 valid, 0 invalid, 0 unreadable"), std::string::npos)
      << show(r);
}

TEST_F(CliVerify, ValidRawFileIsOk) {
  std::string path = dir_.write("000000010000000000000034", corpus_bytes(kPg16));
  CommandResult r = run_walpipe({"verify", path});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_NE(r.out.find(path + ": ok: PostgreSQL 16, timeline 1, 1314 records"), std::string::npos)
      << show(r);
}

TEST_F(CliVerify, DamagedFileIsExitOneWithCrcMismatch) {
  std::string path = damaged_copy();
  CommandResult r = run_walpipe({"verify", path});
  EXPECT_EQ(r.exit_code, kProblems) << show(r);
  EXPECT_NE(r.out.find(path + ": invalid: "), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("(CRC_MISMATCH, file offset " + std::to_string(damaged_offset_) + ")"),
            std::string::npos)
      << show(r);
  EXPECT_EQ(count_lines_starting_with(r.out, "  error: "), 1u) << show(r);
}

TEST_F(CliVerify, QuietShowsOnlyInvalidFiles) {
  std::string bad = damaged_copy();
  CommandResult r = run_walpipe({"verify", "-q", corpus_path(kPg16), bad});
  EXPECT_EQ(r.exit_code, kProblems) << show(r);
  EXPECT_EQ(r.out.find(": ok: "), std::string::npos) << show(r);
  EXPECT_NE(r.out.find(bad + ": invalid: "), std::string::npos) << show(r);
}

TEST_F(CliVerify, JsonIsOneWellFormedDocumentWithStatusAndSummary) {
  std::string good = corpus_path(kPg16);
  std::string bad = damaged_copy();
  CommandResult r = run_walpipe({"verify", "--json", good, bad});
  EXPECT_EQ(r.exit_code, kProblems) << show(r);
  ASSERT_EQ(r.out.rfind("{", 0), 0u) << show(r);
  Json doc = parse_json(r.out);
  ASSERT_EQ(doc.type, Json::Type::kObject);
  const Json& summary = doc["summary"];
  ASSERT_EQ(summary.type, Json::Type::kObject) << r.out;
  EXPECT_EQ(summary["files"].number, 2);
  EXPECT_EQ(summary["valid"].number, 1);
  EXPECT_EQ(summary["invalid"].number, 1);
  EXPECT_EQ(summary["unreadable"].number, 0);
  const Json& files = doc["files"];
  ASSERT_EQ(files.type, Json::Type::kArray);
  ASSERT_EQ(files.array.size(), 2u);
  EXPECT_EQ(files.array[0]["path"].string, good);
  EXPECT_EQ(files.array[0]["status"].string, "valid");
  EXPECT_EQ(files.array[0]["version"].string, "16");
  EXPECT_TRUE(files.array[0]["compressed"].boolean);
  EXPECT_EQ(files.array[1]["status"].string, "invalid");
  const Json& problems = files.array[1]["problems"];
  ASSERT_EQ(problems.type, Json::Type::kArray);
  ASSERT_FALSE(problems.array.empty());
  EXPECT_EQ(problems.array[0]["code"].string, "CRC_MISMATCH");
  EXPECT_EQ(problems.array[0]["severity"].string, "error");
  EXPECT_EQ(problems.array[0]["offset"].number, static_cast<double>(damaged_offset_));
}

TEST_F(CliVerify, JsonEscapesPathsWithQuotesAndBackslashes) {
  std::string path = dir_.write("we\"ird\\dir/000000010000000000000034", corpus_bytes(kPg16));
  CommandResult r = run_walpipe({"verify", "--json", path});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  Json doc = parse_json(r.out);
  ASSERT_EQ(doc["files"].array.size(), 1u) << r.out;
  EXPECT_EQ(doc["files"].array[0]["path"].string, path);
}

TEST_F(CliVerify, FolderIsSearchedRecursivelyForWalNames) {
  dir_.write("sub/000000010000000000000034", corpus_bytes(kPg16));
  dir_.write("sub/000000010000000000000035", corpus_bytes("pg16/1mb/000000010000000000000035"));
  dir_.write("sub/README", std::string("ignored\n"));
  CommandResult r = run_walpipe({"verify", "--contiguous", dir_.path()});
  EXPECT_EQ(r.exit_code, kOk) << show(r);
  EXPECT_NE(r.out.find("verified 2 files: 2 valid"), std::string::npos) << show(r);
}

// ---------------------------------------------------------------------------------------------
// Hostile input: each is refused with exit 1 and exactly one error line, never a crash, and
// never by reading (or decompressing) more than a segment can legally be.
// ---------------------------------------------------------------------------------------------

class CliHostileInput : public ::testing::Test {
 protected:
  // Runs verify on `path`; expects exit 1, one "  error: " line naming `code`, and no
  // sanitizer report.
  CommandResult expect_refused(const std::string& path, const std::string& code) {
    CommandResult r = run_walpipe({"verify", path});
    EXPECT_EQ(r.exit_code, kProblems) << show(r);
    EXPECT_NE(r.out.find(path + ": invalid: "), std::string::npos) << show(r);
    EXPECT_EQ(count_lines_starting_with(r.out, "  error: "), 1u) << show(r);
    EXPECT_NE(r.out.find("(" + code + ", file offset 0)"), std::string::npos) << show(r);
    EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << show(r);
    return r;
  }
  ScratchDir dir_;
};

TEST_F(CliHostileInput, EmptyFileNamedLikeASegmentIsFileSize) {
  expect_refused(dir_.write("000000010000000000000001", std::string()), "FILE_SIZE");
}

TEST_F(CliHostileInput, RandomBytesNamedLikeASegmentAreNotWal) {
  std::mt19937 rng(20261124);
  ByteVec noise(1 << 20);
  for (auto& b : noise) b = static_cast<std::byte>(rng());
  // Deterministic seed: these are neither a zstd frame nor a known page magic.
  ASSERT_NE(get_u32(noise, 0), 0xFD2FB528u);
  expect_refused(dir_.write("000000010000000000000001", noise), "MAGIC_UNKNOWN");
}

TEST_F(CliHostileInput, TextFileNamedLikeASegmentIsNotWal) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "this is a text file, not a WAL segment\n";
  expect_refused(dir_.write("000000010000000000000001", text), "MAGIC_UNKNOWN");
}

// Streams `zero_bytes` zeros after `prefix` through zstd level 1 into one frame.
ByteVec zstd_of_prefix_and_zeros(const ByteVec& prefix, size_t zero_bytes) {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, 1);
  ByteVec out;
  std::vector<char> buf(ZSTD_CStreamOutSize());
  std::vector<char> zeros(1 << 20, 0);
  auto feed = [&](const void* data, size_t size, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data, size, 0};
    for (;;) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      size_t left = ZSTD_compressStream2(cctx.get(), &o, &in, mode);
      EXPECT_FALSE(ZSTD_isError(left)) << ZSTD_getErrorName(left);
      const std::byte* p = reinterpret_cast<const std::byte*>(buf.data());
      out.insert(out.end(), p, p + o.pos);
      if (ZSTD_isError(left)) return;
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return;
    }
  };
  feed(prefix.data(), prefix.size(), ZSTD_e_continue);
  for (size_t done = 0; done < zero_bytes; done += zeros.size())
    feed(zeros.data(), std::min(zeros.size(), zero_bytes - done), ZSTD_e_continue);
  feed(nullptr, 0, ZSTD_e_end);
  return out;
}

TEST_F(CliHostileInput, ZstdBombOfZerosIsNotWalAndIsNotDecompressedWhole) {
  ByteVec bomb = zstd_of_prefix_and_zeros({}, 64u << 20);
  ASSERT_LT(bomb.size(), 64u << 10);  // it really is a bomb: 64 MiB in a few KiB
  expect_refused(dir_.write("000000010000000000000001.zst", bomb), "MAGIC_UNKNOWN");
}

TEST_F(CliHostileInput, ZstdBombBehindAValidFirstPageStopsAtTheSegmentSize) {
  WALPIPE_REQUIRE_CORPUS();
  // Page 0 of a real 1 MiB segment, then 64 MiB of zeros: more than the header allows.
  const ByteVec& real = corpus_bytes(kPg16);
  ByteVec page0(real.begin(), real.begin() + 8192);
  ByteVec bomb = zstd_of_prefix_and_zeros(page0, 64u << 20);
  CommandResult r =
      expect_refused(dir_.write("000000010000000000000034.zst", bomb), "FILE_CONTENT");
  EXPECT_NE(r.out.find("decompresses to more than 1048576 bytes"), std::string::npos) << show(r);
}

TEST_F(CliHostileInput, FourGibibyteSparseFileIsRefusedWithoutReadingIt) {
  std::string path = dir_.file("000000010000000000000001");
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  int rc = ::ftruncate(fd, off_t{4} << 30);
  ::close(fd);
  if (rc != 0) WALPIPE_SKIP() << "filesystem refuses a 4 GiB sparse file: " << std::strerror(errno);
  auto start = std::chrono::steady_clock::now();
  CommandResult r = expect_refused(path, "FILE_CONTENT");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_NE(r.out.find("too large to be a WAL segment"), std::string::npos) << show(r);
  // Reading 4 GiB of holes takes seconds even from the page cache; refusing takes milliseconds.
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(CliHostileInput, AllOfThemInOneFolderAreEachReportedAndTheRunCompletes) {
  dir_.write("a/000000010000000000000001", std::string());
  dir_.write("b/000000010000000000000001", std::string("text, not WAL, but long enough to have a "
                                                       "page header's worth of bytes in it\n"));
  dir_.write("c/000000010000000000000001.zst", zstd_of_prefix_and_zeros({}, 8u << 20));
  dir_.write("d/00000002.history", std::string("garbage\n"));
  CommandResult r = run_walpipe({"verify", dir_.path()});
  EXPECT_EQ(r.exit_code, kProblems) << show(r);
  EXPECT_NE(r.out.find("verified 4 files: 0 valid, 4 invalid, 0 unreadable"), std::string::npos)
      << show(r);
}

}  // namespace
}  // namespace walpipe::testing
