// `walpipe --version`: walpipe's version (the one the Debian package is named after) and one line
// per library it runs with, each saying where its version came from (tools/version.h).
#include <gtest/gtest.h>
#include <xxhash.h>
#include <zstd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.h"

namespace walpipe::testing {
namespace {

std::string show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The VERSION in the top CMakeLists.txt's project() call.
std::string project_version() {
  std::ifstream in(std::string(WALPIPE_SOURCE_DIR) + "/CMakeLists.txt");
  std::stringstream text;
  text << in.rdbuf();
  std::smatch m;
  const std::string s = text.str();
  if (!std::regex_search(s, m, std::regex(R"(project\(walpipe VERSION ([0-9.]+))"))) return "";
  return m[1];
}

TEST(Version, OneLinePerComponentInAFixedOrder) {
  CommandResult r = run_walpipe({"--version"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_EQ(r.err, "");
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 6u) << show(r);
  const std::vector<std::string> names = {"libzstd", "liburing", "libxxhash", "libisal", "libpq"};
  const std::regex shape(
      R"(([a-z]+) [0-9]+(\.[0-9]+)+ \((run time|built against|compiled in|loaded by [a-z, ]+)\))");
  for (size_t i = 0; i < names.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[i + 1], m, shape)) << lines[i + 1];
    EXPECT_EQ(m[1], names[i]);
  }
}

TEST(Version, WalpipeVersionIsTheProjectVersion) {
  CommandResult r = run_walpipe({"--version"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  const std::string version = project_version();
  ASSERT_FALSE(version.empty()) << "no project(walpipe VERSION ...) in CMakeLists.txt";
  EXPECT_EQ(lines_of(r.out).at(0), "walpipe " + version);
}

TEST(Version, LibrariesReportTheirVersions) {
  CommandResult r = run_walpipe({"--version"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 6u) << show(r);
  // The loaded libzstd is the one the headers describe (same Debian package version).
  EXPECT_EQ(lines[1], std::string("libzstd ") + ZSTD_VERSION_STRING + " (run time)");
  EXPECT_EQ(lines[3], "libxxhash " + std::to_string(XXH_VERSION_MAJOR) + "." +
                          std::to_string(XXH_VERSION_MINOR) + "." +
                          std::to_string(XXH_VERSION_RELEASE) + " (compiled in)");
  // scripts/setup.sh installs libpq5, so --version can load it and ask it.
  EXPECT_TRUE(std::regex_match(lines[5], std::regex(R"(libpq [0-9]+\.[0-9]+ \(loaded by .+\))")))
      << lines[5];
}

TEST(Version, ShortOptionPrintsTheSame) {
  CommandResult long_form = run_walpipe({"--version"});
  CommandResult short_form = run_walpipe({"-V"});
  EXPECT_EQ(short_form.exit_code, 0) << show(short_form);
  EXPECT_EQ(short_form.out, long_form.out);
}

}  // namespace
}  // namespace walpipe::testing
