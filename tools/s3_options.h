// How a command reaches an archive in a bucket (--archive s3://BUCKET/PREFIX): the endpoint,
// region and credentials from the command line, else the variables every S3 tool reads
// (AWS_ENDPOINT_URL, AWS_REGION or AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), else the configuration file. The secret key and the session token are
// never taken from the command line, where every user of the machine sees them.
#pragma once

#include <string>
#include <vector>

#include "archive/s3/s3_store.h"
#include "base/status.h"
#include "cli.h"

namespace walpipe::cli {

// How --help of push and get ends: where a bucket's settings come from.
extern const char* const kS3Help;

// The options every command that takes --archive also takes.
std::vector<OptionSpec> s3_option_specs();

bool is_s3_location(const std::string& location);

// Everything S3Store needs for `location` (an s3:// URL). kInvalidArgument, never quoting a
// secret, for a malformed URL, endpoint, URI style or deadline, or missing credentials.
Result<archive::S3StoreSettings> s3_store_settings(const std::string& location, const Args& args);

}  // namespace walpipe::cli
