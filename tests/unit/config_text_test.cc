// The configuration file's text (engine/config/config_text.h): what a line may hold, and the
// exact message for each way it can be wrong. No message may show a value: values are secrets.
#include "config/config_text.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace walpipe::config {
namespace {

const std::string kFile = "/etc/walpipe/walpipe.conf";
constexpr std::string_view kArchive[] = {"archive"};

Result<std::vector<Entry>> parse(std::string_view text,
                                 std::span<const std::string_view> repeatable = {}) {
  return parse_config_text(Bytes(reinterpret_cast<const std::byte*>(text.data()), text.size()),
                           kFile, repeatable);
}

// The whole error, as the command prints it, for the one-line `text` (or several lines).
std::string error_of(std::string_view text, std::span<const std::string_view> repeatable = {}) {
  Result<std::vector<Entry>> r = parse(text, repeatable);
  if (r.is_ok()) return "(parsed)";
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  return r.status().to_string();
}

std::string invalid(int line, const std::string& reason, const std::string& hint) {
  return "invalid line " + std::to_string(line) + " in configuration file \"" + kFile +
         "\": " + reason + "\nHINT: " + hint;
}

constexpr const char* kTextHint =
    "A configuration file is UTF-8 text without control characters other than tabs.";

TEST(ConfigText, SettingsInFileOrderWithLineNumbers) {
  Result<std::vector<Entry>> r = parse(
      "# walpipe.conf\n"
      "\n"
      "archive = /var/lib/walpipe\n"
      "  \t# an indented comment\n"
      "level=3\n"
      "\tverbose\t=\ton \t\n"
      "no-verify = off");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].key, "archive");
  EXPECT_EQ((*r)[0].value, "/var/lib/walpipe");
  EXPECT_EQ((*r)[0].line, 3u);
  EXPECT_EQ((*r)[1].key, "level");
  EXPECT_EQ((*r)[1].value, "3");
  EXPECT_EQ((*r)[1].line, 5u);
  EXPECT_EQ((*r)[2].key, "verbose");
  EXPECT_EQ((*r)[2].value, "on");
  EXPECT_EQ((*r)[2].line, 6u);
  EXPECT_EQ((*r)[3].key, "no-verify");
  EXPECT_EQ((*r)[3].line, 7u);
}

TEST(ConfigText, EmptyAndCommentOnlyFilesHoldNothing) {
  EXPECT_TRUE(parse("")->empty());
  EXPECT_TRUE(parse("\n\n  \t\n# archive = /x\n#\n")->empty());
}

TEST(ConfigText, QuotedValuesKeepBlanksHashAndEscapes) {
  Result<std::vector<Entry>> r = parse(
      "pg-dbname = \"host=/run/postgresql password=s#cr=et\"\n"
      "spool = \"  two blanks around  \"\n"
      "archive = \"a \\\"quoted\\\" \\\\ path\"\n"
      "level = \"\"\n"
      "jobs = a=b\n");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ((*r)[0].value, "host=/run/postgresql password=s#cr=et");
  EXPECT_EQ((*r)[1].value, "  two blanks around  ");
  EXPECT_EQ((*r)[2].value, "a \"quoted\" \\ path");
  EXPECT_EQ((*r)[3].value, "");
  EXPECT_EQ((*r)[4].value, "a=b");
}

TEST(ConfigText, CrlfLineEndsAndByteOrderMark) {
  Result<std::vector<Entry>> r = parse(
      "\xEF\xBB\xBF"
      "archive = /a\r\nlevel = \"3\"\r\n");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ((*r)[0].key, "archive");
  EXPECT_EQ((*r)[0].value, "/a");
  EXPECT_EQ((*r)[1].value, "3");
  EXPECT_EQ((*r)[1].line, 2u);
}

TEST(ConfigText, UnicodeInValuesIsKept) {
  Result<std::vector<Entry>> r = parse("spool = /srv/wal/café\xF0\x9F\x90\x98\n");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ((*r)[0].value, "/srv/wal/café\xF0\x9F\x90\x98");
}

TEST(ConfigText, LineWithoutEqualsSign) {
  const std::string hint =
      "Each line holds a setting such as \"archive = /var/lib/walpipe\", a comment starting with "
      "\"#\", or nothing.";
  EXPECT_EQ(error_of("archive = /a\n\n# c\n\n\n\nhunter2\n"),
            invalid(7, "expected \"key = value\"", hint));
  EXPECT_EQ(error_of("= /a\n"), invalid(1, "expected \"key = value\"", hint));
}

TEST(ConfigText, InvalidKeyIsNotShown) {
  const std::string hint = "Keys are the long option names without \"--\", such as \"archive\".";
  const std::string reason = "a key holds only lower-case letters, digits and \"-\"";
  EXPECT_EQ(error_of("Archive = /a"), invalid(1, reason, hint));
  EXPECT_EQ(error_of("archive! = /a"), invalid(1, reason, hint));
  EXPECT_EQ(error_of("my password = x"), invalid(1, reason, hint));
  EXPECT_EQ(error_of("aws_secret = x"), invalid(1, reason, hint));
}

TEST(ConfigText, ValueProblemsNameTheKeyOnly) {
  EXPECT_EQ(error_of("archive ="),
            invalid(1, "no value for key \"archive\"",
                    "An empty value is written as two double quotes: archive = \"\""));
  EXPECT_EQ(error_of("pg-dbname = password=abc # the password"),
            invalid(1, "\"#\" in the unquoted value of key \"pg-dbname\"",
                    "Put the value in double quotes if \"#\" belongs to it; comments go on lines "
                    "of their own."));
  EXPECT_EQ(error_of("pg-dbname = pass\"word"),
            invalid(1, "double quote inside the unquoted value of key \"pg-dbname\"",
                    "Put the whole value in double quotes, writing \\\" for a double quote "
                    "inside it."));
  EXPECT_EQ(error_of("pg-dbname = \"password=abc"),
            invalid(1, "unterminated quoted value of key \"pg-dbname\"",
                    "A quoted value ends with a double quote on the same line."));
  EXPECT_EQ(error_of("pg-dbname = \"password=abc\\\""),
            invalid(1, "unterminated quoted value of key \"pg-dbname\"",
                    "A quoted value ends with a double quote on the same line."));
  EXPECT_EQ(error_of("pg-dbname = \"pass\\nword\""),
            invalid(1, "invalid escape in the quoted value of key \"pg-dbname\"",
                    "Inside double quotes, write \\\" for a double quote and \\\\ for a "
                    "backslash."));
  EXPECT_EQ(error_of("pg-dbname = \"password\" abc"),
            invalid(1, "text after the closing quote of the value of key \"pg-dbname\"",
                    "Comments go on lines of their own."));
  EXPECT_EQ(error_of("pg-dbname = \"password\" # comment"),
            invalid(1, "text after the closing quote of the value of key \"pg-dbname\"",
                    "Comments go on lines of their own."));
}

TEST(ConfigText, RepeatedKeyOnlyWhenRepeatable) {
  EXPECT_EQ(error_of("level = 1\narchive = /a\n\nlevel = 2\n"),
            invalid(4, "key \"level\" is already set in line 1", "Remove one of the two lines."));
  EXPECT_EQ(error_of("archive = /a\narchive = /b\n"),
            invalid(2, "key \"archive\" is already set in line 1", "Remove one of the two lines."));
  Result<std::vector<Entry>> r = parse("archive = /a\narchive = /b\n", kArchive);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].value, "/b");
  EXPECT_EQ((*r)[1].line, 2u);
  EXPECT_EQ(error_of("archive = /a\nlevel = 1\narchive = /b\nlevel = 1\n", kArchive),
            invalid(4, "key \"level\" is already set in line 2", "Remove one of the two lines."));
}

TEST(ConfigText, BinaryIsRefusedByLine) {
  using namespace std::string_literals;
  EXPECT_EQ(error_of("archive = /a\npg-dbname = pass\0word\n"s),
            invalid(2, "contains a NUL byte", kTextHint));
  EXPECT_EQ(error_of("archive = /a\n\nlevel = \xC3\x28\n"),
            invalid(3, "is not valid UTF-8", kTextHint));
  EXPECT_EQ(error_of("spool = \xC0\xAF\n"), invalid(1, "is not valid UTF-8", kTextHint));
  EXPECT_EQ(error_of("spool = \xED\xA0\x80\n"), invalid(1, "is not valid UTF-8", kTextHint));
  EXPECT_EQ(error_of("spool = \xF4\x90\x80\x80\n"), invalid(1, "is not valid UTF-8", kTextHint));
  EXPECT_EQ(error_of("spool = \xE2\x82"), invalid(1, "is not valid UTF-8", kTextHint));
  EXPECT_EQ(error_of("spool = a\rb\n"), invalid(1, "contains a control character", kTextHint));
  EXPECT_EQ(error_of("spool = a\x1b[0m\n"), invalid(1, "contains a control character", kTextHint));
  EXPECT_EQ(error_of("# \x7f\n"), invalid(1, "contains a control character", kTextHint));
}

TEST(ConfigText, FileOverOneMebibyteIsRefused) {
  std::string text;
  while (text.size() < kMaxConfigBytes) text += "# a comment line of padding\n";
  text.resize(kMaxConfigBytes);
  text.back() = '\n';
  EXPECT_TRUE(parse(text).is_ok());
  text += "\n";
  EXPECT_EQ(error_of(text), "configuration file \"" + kFile +
                                "\" is larger than 1 MiB\n"
                                "HINT: A configuration file holds a few settings; check that this "
                                "is the file meant.");
}

// Every error above is about a line holding "secret"; none may show it.
TEST(ConfigText, NoMessageShowsAValue) {
  using namespace std::string_literals;
  const std::vector<std::string> bad = {
      "secret",
      "Secret = secret",
      "pg-dbname = secret # x",
      "pg-dbname = sec\"ret",
      "pg-dbname = \"secret",
      "pg-dbname = \"sec\\ret\"",
      "pg-dbname = \"secret\" secret",
      "pg-dbname = secret\0"s,
      "pg-dbname = secret\xFF",
      "pg-dbname = secret\x01",
      "level = secret\nlevel = secret",
  };
  for (const std::string& text : bad) {
    const std::string error = error_of(text);
    EXPECT_NE(error, "(parsed)") << text;
    EXPECT_EQ(error.find("secret"), std::string::npos) << error;
  }
}

TEST(ConfigText, KeyForm) {
  EXPECT_TRUE(is_valid_key("archive"));
  EXPECT_TRUE(is_valid_key("aws-secret-access-key"));
  EXPECT_TRUE(is_valid_key("s3-v4"));
  EXPECT_FALSE(is_valid_key(""));
  EXPECT_FALSE(is_valid_key("Archive"));
  EXPECT_FALSE(is_valid_key("a_b"));
  EXPECT_FALSE(is_valid_key("a.b"));
}

}  // namespace
}  // namespace walpipe::config
