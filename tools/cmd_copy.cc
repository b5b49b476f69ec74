// walpipe copy FROM TO: an archive brought into another, every object checked on the way.
// Everything but argument handling and output is engine/pipeline/copy.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "archive/walk.h"
#include "archive_option.h"
#include "cli.h"
#include "commands.h"
#include "crypt_options.h"
#include "exit_codes.h"
#include "io/io.h"
#include "json.h"
#include "pipeline/copy.h"
#include "progress.h"
#include "s3_options.h"

namespace walpipe::cli {

namespace {

constexpr const char* kHelp =
    "walpipe copy brings every object of the archive FROM into the archive TO: to add an\n"
    "off-site copy to an archive that exists, or to move one. Each object is decompressed and\n"
    "checked (its XXH3-128, and a segment's page headers against its name) before it is\n"
    "stored, byte for byte, through TO's own put, which never replaces anything. A copy that\n"
    "was stopped is resumed by running it again: what TO holds with the same content is passed\n"
    "by. A damaged object, or one TO holds with other content, is named and left; the copy\n"
    "goes on.\n"
    "\n"
    "Usage:\n"
    "  walpipe copy [OPTION]... FROM TO\n"
    "\n"
    "FROM and TO are archives: absolute directory paths or s3://BUCKET/PREFIX (a bucket is\n"
    "reached as walpipe push --help says). An encrypted FROM is read with --identity; TO is\n"
    "encrypted when recipients and a fingerprint key are given (as for walpipe push), which\n"
    "turns a plain archive into an encrypted one.\n"
    "\n"
    "Options:\n"
    "  -j, --jobs=N       decompress with N threads (default: one per core)\n"
    "      --json         print a JSON summary on stdout\n"
    "  -v, --verbose      name every object copied or passed by\n"
    "      --config=FILE  read settings from FILE (default: $WALPIPE_CONFIG, else\n"
    "                     /etc/walpipe/walpipe.conf)\n"
    "  -?, --help         show this help, then exit\n"
    "\n"
    "Exit status: 0 every object is in TO, 1 some object was not copied (named on stderr),\n"
    "2 usage error, or an archive that cannot be read or written (nothing after that point\n"
    "was copied).\n";

const char* step_word(pipeline::CopyStep step) {
  switch (step) {
    case pipeline::CopyStep::kCopied:
      return "copied";
    case pipeline::CopyStep::kAlreadyThere:
      return "already there";
    default:
      return "not copied";
  }
}

void print_json(const std::string& from, const std::string& to, const pipeline::CopyReport& r,
                const std::vector<std::pair<std::string, std::string>>& refusals) {
  json::Writer w;
  w.begin_object();
  w.field("from", from);
  w.field("to", to);
  w.field("copied", r.copied);
  w.field("already_there", r.already_there);
  w.field("not_copied", r.refused);
  w.field("bytes_copied", r.bytes_copied);
  w.key("problems");
  w.begin_array();
  for (const auto& [object, why] : refusals) {
    w.begin_object();
    w.field("object", object);
    w.field("reason", why);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  std::printf("%s\n", w.str().c_str());
}

}  // namespace

int cmd_copy(const std::string& command, const std::vector<std::string>& argv) {
  std::vector<OptionSpec> specs = {{"jobs", true, 'j'}, {"json", false}, {"verbose", false, 'v'}};
  std::vector<OptionSpec> s3 = s3_option_specs();
  specs.insert(specs.end(), s3.begin(), s3.end());
  std::vector<OptionSpec> keys = crypt_option_specs(command);
  specs.insert(specs.end(), keys.begin(), keys.end());
  int status;
  std::optional<Args> args = parse_or_help(
      command, argv, specs, {kHelp, kEncryptHelp, kIdentityHelp}, exit_code::kCopyUsage, &status);
  if (!args) return status;
  if (args->positional.size() != 2) {
    usage_error(command, "expected FROM and TO");
    return exit_code::kCopyUsage;
  }
  const std::string& from_location = args->positional[0];
  const std::string& to_location = args->positional[1];
  if (from_location == to_location) {
    usage_error(command, "FROM and TO are the same archive \"" + from_location + "\"");
    return exit_code::kCopyUsage;
  }
  std::optional<long> jobs = int_option(command, *args, "jobs", 1, 256, 0);
  if (!jobs || !usable_archive(command, from_location, *args) ||
      !usable_archive(command, to_location, *args))
    return exit_code::kCopyUsage;
  const bool json = args->has("json");
  const bool verbose = args->has("verbose");

  io::SyncIo io;
  std::unique_ptr<archive::Store> from = open_archive(io, from_location, *args);
  std::unique_ptr<archive::Store> to = open_archive(io, to_location, *args, Access::kWrite);
  if (Status takes = check_archive_encryption(*to, *args); !takes.is_ok()) {
    print_error(command, takes.to_string());
    return exit_code::kCopyUsage;
  }
  Progress progress("copying", stderr_is_terminal() && !verbose);
  size_t total = 0;
  if (stderr_is_terminal() && !verbose) {
    Status counted = archive::for_each_object(*from, [&](const archive::ObjectEntry&) {
      ++total;
      return Status::ok();
    });
    (void)counted;  // the copy itself meets and reports the same failure
  }
  std::vector<std::pair<std::string, std::string>> refusals;
  pipeline::CopyOptions options;
  options.threads = static_cast<unsigned>(*jobs);
  options.on_object = [&](const pipeline::CopyEvent& event) {
    const std::string where = from->object_location(event.entry->name);
    if (event.step == pipeline::CopyStep::kRefused) {
      refusals.emplace_back(where, event.why.message());
      progress.print(stderr, "walpipe copy: warning: \"" + event.entry->name.to_string() +
                                 "\" not copied: " + event.why.to_string() + "\n");
    } else if (verbose) {
      std::fprintf(stderr, "walpipe copy: %s \"%s\"\n", step_word(event.step), where.c_str());
    }
    progress.update(event.done, std::max<size_t>(total, event.done));
  };
  Result<pipeline::CopyReport> report = pipeline::copy_archive(*from, *to, options);
  if (!report.is_ok()) {
    print_error(command, to->explain(report.status()).to_string());
    return exit_code::kCopyUsage;
  }
  if (json) {
    print_json(from->location(), to->location(), *report, refusals);
  } else {
    std::printf(
        "copied %llu objects (%llu bytes) from \"%s\" to \"%s\"; %llu already there, "
        "%llu not copied\n",
        static_cast<unsigned long long>(report->copied),
        static_cast<unsigned long long>(report->bytes_copied), from->location().c_str(),
        to->location().c_str(), static_cast<unsigned long long>(report->already_there),
        static_cast<unsigned long long>(report->refused));
  }
  return report->refused == 0 ? exit_code::kOk : exit_code::kCopyIncomplete;
}

}  // namespace walpipe::cli
