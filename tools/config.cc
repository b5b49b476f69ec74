#include "config.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "config/config_text.h"
#include "io/fs.h"

namespace walpipe::cli {

namespace {

// Every key a configuration file may hold: the options of every command (apply_config_file
// checks that each command's options are here) and any key only the file sets. A key missing here
// is refused in every file, so a typo never silently does nothing; a key that is here but not an
// option of the running command is ignored by it (a verify setting must not break push).
struct Key {
  std::string_view name;
  bool in_file;     // false: only the command line may give it (it chooses the action)
  const char* env;  // an environment variable that beats the file, or nullptr
  bool repeatable;  // may be set on several lines
  // false: only the file or `env` may give it (a secret: others see a command line in ps)
  bool on_command_line = true;
};
constexpr Key kKeys[] = {
    // push and get take several (a folder and a bucket); the other commands one
    {"archive", true, "WALPIPE_ARCHIVE", true},
    // push
    {"batch", true, nullptr, false},
    {"level", true, nullptr, false},
    // Only for one push by hand: in the file it would archive every damaged segment unchecked.
    {"no-verify", false, nullptr, false},
    // get
    {"prefetch", true, nullptr, false},
    {"spool", true, nullptr, false},
    {"remove-spool", false, nullptr, false},
    // verify (json: status too)
    {"jobs", true, nullptr, false},
    {"json", true, nullptr, false},
    {"open-end", true, nullptr, false},
    {"contiguous", true, nullptr, false},
    {"allow-gaps", true, nullptr, false},
    {"live", true, nullptr, false},
    {"quiet", true, nullptr, false},
    // status, check, metrics: the server (pg-dbname in the file), the data directory, the
    // thresholds of the alerts
    {"dbname", false, nullptr, false},
    {"pg-dbname", true, nullptr, false},
    {"pgdata", true, nullptr, false},
    {"connect-timeout", true, nullptr, false},
    {"warn-archive-age", true, nullptr, false},
    {"crit-archive-age", true, nullptr, false},
    {"warn-ready", true, nullptr, false},
    {"crit-ready", true, nullptr, false},
    {"warn-disk", true, nullptr, false},
    {"crit-disk", true, nullptr, false},
    // metrics
    {"output", true, nullptr, false},
    // check
    {"wait", true, nullptr, false},
    // list: what to show is asked each time
    {"since", false, nullptr, false},
    {"until", false, nullptr, false},
    {"timeline", false, nullptr, false},
    {"at", false, nullptr, false},
    {"backup", false, nullptr, false},
    // restore-plan (backup: list's): the target is asked each time
    {"target-time", false, nullptr, false},
    {"target-lsn", false, nullptr, false},
    {"latest", false, nullptr, false},
    {"target-timeline", false, nullptr, false},
    // expire: what goes is asked each time, never left in a file for every run
    {"keep-days", false, nullptr, false},
    {"keep-backups", false, nullptr, false},
    {"before", false, nullptr, false},
    {"dry-run", false, nullptr, false},
    {"force", false, nullptr, false},
    // drill: how a restore test runs may be kept in the file; its target is asked each time
    {"sql", true, nullptr, false},
    {"database", true, nullptr, false},
    {"db-user", true, nullptr, false},
    {"os-user", true, nullptr, false},
    {"pg-bin", true, nullptr, false},
    {"scratch-dir", true, nullptr, false},
    // every command that takes --archive, for an archive in a bucket (s3_options.h)
    {"s3-endpoint", true, "AWS_ENDPOINT_URL", false},
    {"s3-region", true, "AWS_REGION", false},
    {"s3-ca-file", true, nullptr, false},
    {"s3-uri-style", true, nullptr, false},
    {"s3-deadline", true, nullptr, false},
    {"aws-access-key-id", true, "AWS_ACCESS_KEY_ID", false},
    {"aws-secret-access-key", true, "AWS_SECRET_ACCESS_KEY", false, false},
    {"aws-session-token", true, "AWS_SESSION_TOKEN", false, false},
    // encryption (crypt_options.h): push and copy write with recipients and the fingerprint
    // key, the commands that read take identities
    {"encrypt-to", true, nullptr, true},
    {"recipients-file", true, nullptr, true},
    {"fingerprint-key", true, nullptr, false},
    {"identity", true, nullptr, true},
    // every command
    {"verbose", true, nullptr, false},
    {"help", false, nullptr, false},
    {"config", false, nullptr, false},
};

constexpr bool keys_unique() {
  for (size_t i = 0; i < std::size(kKeys); ++i)
    for (size_t j = i + 1; j < std::size(kKeys); ++j)
      if (kKeys[i].name == kKeys[j].name) return false;
  return true;
}
static_assert(keys_unique(), "a key is listed twice in kKeys");

const Key* find_key(std::string_view name) {
  for (const Key& key : kKeys)
    if (key.name == name) return &key;
  return nullptr;
}

bool always(std::string_view) { return true; }

// A libpq connection string holds a password as a "password=" keyword or in a URI's user
// information ("postgresql://user:secret@host/db").
bool conninfo_has_password(std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.find("password") != std::string::npos) return true;
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (!lower.starts_with(scheme)) continue;
    const std::string_view rest = std::string_view(lower).substr(scheme.size());
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    const size_t at = authority.rfind('@');
    return at != std::string_view::npos && authority.substr(0, at).find(':') != std::string::npos;
  }
  return false;
}

// Keys whose value may be a secret. Listed whether or not a command takes them yet, so that a
// secret in a readable file is refused before anything else is said about it.
struct SecretKey {
  std::string_view name;
  bool (*holds_secret)(std::string_view value);
};
constexpr SecretKey kSecretKeys[] = {
    {"pg-dbname", conninfo_has_password},
    {"dbname", conninfo_has_password},
    {"aws-secret-access-key", always},
    {"aws-session-token", always},
    {"identity", always},
};

constexpr mode_t kOthersMayAccess = 077;

std::string line_prefix(const std::string& path, size_t line) {
  return "invalid line " + std::to_string(line) + " in configuration file \"" + path + "\": ";
}

struct Located {
  std::string path;
  const char* named_by;  // nullptr for the default, which may be absent
};

Located locate(const Args& args) {
  if (std::optional<std::string> option = args.get("config")) return {*option, "--config"};
  if (const char* env = std::getenv("WALPIPE_CONFIG"); env && *env) return {env, "WALPIPE_CONFIG"};
  return {kDefaultConfigPath, nullptr};
}

struct Loaded {
  std::vector<config::Entry> entries;
  mode_t mode = 0;
};

// The file's settings and permission bits; nullopt when the default file does not exist.
Result<std::optional<Loaded>> load(const Located& where) {
  Result<io::Fd> fd = io::open_for_read(where.path);
  if (!fd.is_ok()) {
    if (fd.status().code() != Code::kNotFound) return fd.status();
    if (where.named_by == nullptr) return std::optional<Loaded>();
    return Status(Code::kNotFound, "configuration file \"" + where.path + "\" does not exist")
        .with_hint("It was named by " + std::string(where.named_by) + ".");
  }
  WALPIPE_ASSIGN_OR_RETURN(io::EntryInfo info, io::entry_info(*fd, where.path));
  if (info.type != io::EntryType::kFile)
    return Status(Code::kInvalidArgument,
                  "configuration file \"" + where.path + "\" is not a regular file");
  WALPIPE_ASSIGN_OR_RETURN(uint64_t size, io::file_size(*fd, where.path));
  // One byte more than the limit lets the parser tell a file that grew past it.
  std::vector<std::byte> text(std::min<uint64_t>(size, config::kMaxConfigBytes) + 1);
  size_t have = 0;
  while (have < text.size()) {
    WALPIPE_ASSIGN_OR_RETURN(size_t n,
                             io::read_some(*fd, have, std::span(text).subspan(have), where.path));
    if (n == 0) break;
    have += n;
  }
  text.resize(have);
  std::vector<std::string_view> repeatable;
  for (const Key& key : kKeys)
    if (key.repeatable) repeatable.push_back(key.name);
  Result<std::vector<config::Entry>> entries =
      config::parse_config_text(text, where.path, repeatable);
  if (!entries.is_ok()) return entries.status();
  return std::optional<Loaded>(Loaded{std::move(entries).value(), info.mode});
}

Status check_secrets(const std::string& path, const Loaded& file) {
  if ((file.mode & kOthersMayAccess) == 0) return Status::ok();
  for (const config::Entry& entry : file.entries)
    for (const SecretKey& secret : kSecretKeys) {
      if (entry.key != secret.name || !secret.holds_secret(entry.value)) continue;
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(file.mode & 07777));
      return Status(Code::kInvalidArgument, "configuration file \"" + path +
                                                "\" holds a secret and can be read by other users")
          .with_detail("Key \"" + entry.key + "\" in line " + std::to_string(entry.line) +
                       " holds a secret, and the file's permissions are " + mode + ".")
          .with_hint("Make it readable by its owner only: chmod 600 \"" + path + "\"");
    }
  return Status::ok();
}

std::optional<bool> parse_bool(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (value == "on" || value == "true" || value == "yes" || value == "1") return true;
  if (value == "off" || value == "false" || value == "no" || value == "0") return false;
  return std::nullopt;
}

Status merge(const std::string& path, const Loaded& file, const std::vector<OptionSpec>& specs,
             Args* args) {
  for (const config::Entry& entry : file.entries) {
    const Key* key = find_key(entry.key);
    if (key == nullptr)
      return Status(Code::kInvalidArgument,
                    line_prefix(path, entry.line) + "unrecognized key \"" + entry.key + "\"")
          .with_hint(
              "Keys are the long options of walpipe's commands without \"--\", such as "
              "\"archive\".");
    if (!key->in_file)
      return Status(Code::kInvalidArgument, line_prefix(path, entry.line) + "key \"" + entry.key +
                                                "\" can only be given on the command line")
          .with_hint("Give --" + entry.key + " on the command line.");
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const OptionSpec& s) { return s.name == entry.key; });
    if (spec == specs.end() || args->has(entry.key)) continue;
    if (key->env != nullptr)
      if (const char* env = std::getenv(key->env); env && *env) continue;
    if (spec->takes_value) {
      args->set(entry.key, entry.value);
      continue;
    }
    std::optional<bool> on = parse_bool(entry.value);
    if (!on)
      return Status(Code::kInvalidArgument,
                    line_prefix(path, entry.line) + "key \"" + entry.key + "\" takes on or off")
          .with_hint("Write \"" + entry.key + " = on\" or \"" + entry.key + " = off\".");
    if (*on) args->set(entry.key, "");
  }
  return Status::ok();
}

}  // namespace

bool only_outside_command_line(std::string_view option) {
  const Key* key = find_key(option);
  return key != nullptr && !key->on_command_line;
}

Status apply_config_file(const std::vector<OptionSpec>& specs, Args* args) {
  // An option missing from kKeys could not be set in the file, and would make files setting it
  // fail for the other commands.
  for (const OptionSpec& spec : specs) WALPIPE_CHECK(find_key(spec.name) != nullptr);
  const Located where = locate(*args);
  WALPIPE_ASSIGN_OR_RETURN(std::optional<Loaded> file, load(where));
  if (!file.has_value()) return Status::ok();
  WALPIPE_TRY(check_secrets(where.path, *file));
  return merge(where.path, *file, specs, args);
}

}  // namespace walpipe::cli
