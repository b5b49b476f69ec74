#include "s3_options.h"

#include <cstdlib>

#include "codec/fingerprint.h"
#include "config.h"
#include "io/fs.h"
#include "s3/endpoint.h"

namespace walpipe::cli {

namespace {

constexpr long kMaxDeadlineSeconds = 24 * 3600;

// The option, else the environment variable `env` (nullptr: none), else "".
std::string setting(const Args& args, const std::string& name, const char* env) {
  if (std::optional<std::string> value = args.get(name)) return *value;
  if (env != nullptr)
    if (const char* value = std::getenv(env); value != nullptr) return value;
  return {};
}

// One folder per user and archive: the processes archiving to one bucket meet there whatever
// their working directory, and another user's processes never share it.
std::string meeting_dir_for(const std::string& endpoint, const std::string& location) {
  const std::string id = endpoint + " " + location;
  return "/tmp/walpipe-" + std::to_string(io::effective_uid()) + "-" +
         fingerprint_of(std::as_bytes(std::span(id))).hex().substr(0, 16);
}

// The credentials as the configuration file (`config`: --config, when given) says now, the
// environment filling in what it does not, as s3_store_settings() reads them.
Result<s3::Credentials> credentials_in_file(const std::optional<std::string>& config) {
  Args file;
  if (config) file.set("config", *config);
  WALPIPE_TRY(apply_config_file(s3_option_specs(), &file));
  s3::Credentials c;
  c.access_key_id = setting(file, "aws-access-key-id", "AWS_ACCESS_KEY_ID");
  c.secret_access_key = setting(file, "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY");
  c.session_token = setting(file, "aws-session-token", "AWS_SESSION_TOKEN");
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return Status(Code::kInvalidArgument, "the configuration file no longer holds S3 credentials");
  return c;
}

}  // namespace

const char* const kS3Help =
    "\n"
    "An archive in a bucket is reached through the variables every S3 tool reads\n"
    "(AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n"
    "AWS_SESSION_TOKEN) or the configuration file's s3-endpoint, s3-region,\n"
    "aws-access-key-id, aws-secret-access-key, aws-session-token; also\n"
    "      --s3-ca-file=FILE       CA bundle for a private https endpoint\n"
    "      --s3-uri-style=STYLE    path (default) or virtual-host\n"
    "      --s3-deadline=SECONDS   time for one request with its retries (default: 120)\n"
    "The secret key and session token are never taken from the command line.\n";

std::vector<OptionSpec> s3_option_specs() {
  return {{"s3-endpoint", true},           {"s3-region", true},        {"s3-ca-file", true},
          {"s3-uri-style", true},          {"s3-deadline", true},      {"aws-access-key-id", true},
          {"aws-secret-access-key", true}, {"aws-session-token", true}};
}

bool is_s3_location(const std::string& location) { return location.starts_with("s3://"); }

Result<archive::S3StoreSettings> s3_store_settings(const std::string& location, const Args& args) {
  Result<s3::Location> where = s3::parse_s3_url(location);
  if (!where.is_ok()) return where.status();
  archive::S3StoreSettings out;
  out.where = std::move(*where);
  s3::S3Settings& s3 = out.connection;
  s3.endpoint = setting(args, "s3-endpoint", "AWS_ENDPOINT_URL");
  s3.region = setting(args, "s3-region", "AWS_REGION");
  if (s3.region.empty()) s3.region = setting(args, "s3-region", "AWS_DEFAULT_REGION");
  if (s3.region.empty()) s3.region = "us-east-1";
  WALPIPE_ASSIGN_OR_RETURN(s3::Endpoint endpoint, s3::parse_endpoint(s3.endpoint, s3.region));
  s3.ca_file = setting(args, "s3-ca-file", nullptr);

  const std::string style = setting(args, "s3-uri-style", nullptr);
  if (style == "virtual-host")
    s3.virtual_host_style = true;
  else if (!style.empty() && style != "path")
    return Status(Code::kInvalidArgument, "invalid value \"" + style + "\" for s3-uri-style")
        .with_hint(
            "Use \"path\" (https://host/bucket/key) or \"virtual-host\" "
            "(https://bucket.host/key).");

  if (std::string deadline = setting(args, "s3-deadline", nullptr); !deadline.empty()) {
    char* end = nullptr;
    const long seconds = std::strtol(deadline.c_str(), &end, 10);
    if (*end != '\0' || seconds < 1 || seconds > kMaxDeadlineSeconds)
      return Status(Code::kInvalidArgument, "invalid value \"" + deadline + "\" for s3-deadline")
          .with_hint(
              "Give the seconds every request to the bucket may take with its retries, "
              "1 to 86400.");
    s3.deadline_ms = seconds * 1000;
    s3.try_timeout_ms = std::min(s3.try_timeout_ms, s3.deadline_ms);
  }

  s3.credentials.access_key_id = setting(args, "aws-access-key-id", "AWS_ACCESS_KEY_ID");
  s3.credentials.secret_access_key =
      setting(args, "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY");
  s3.credentials.session_token = setting(args, "aws-session-token", "AWS_SESSION_TOKEN");
  // A secret in the options came from the configuration file (never from the command line),
  // which a renewal of temporary keys or a rotation may rewrite while this command runs: asked
  // again when the store refuses them. The environment of a running process cannot change.
  if (args.has("aws-secret-access-key"))
    s3.reread_credentials = [config = args.get("config")] { return credentials_in_file(config); };
  if (s3.credentials.access_key_id.empty() || s3.credentials.secret_access_key.empty())
    return Status(Code::kInvalidArgument, "no S3 credentials for \"" + location + "\"")
        .with_hint(
            "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws-access-key-id and "
            "aws-secret-access-key in the configuration file (readable by its owner only).");
  out.meeting_dir = meeting_dir_for(endpoint.scheme + "://" + endpoint.authority, location);
  return out;
}

}  // namespace walpipe::cli
