// The keys of an encrypted archive (issue 13), given as options or as configuration-file keys of
// the same names: push takes recipients (--encrypt-to age1…, --recipients-file FILE, each
// repeatable) and --fingerprint-key FILE; the commands that read an archive take --identity FILE
// (repeatable); copy takes both, identities for FROM and the rest for TO. Key files are read
// when the arguments are parsed, and a bad one is refused then, naming the file and the line.
// No message holds a key.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "cli.h"

namespace walpipe::cli {

// The options above that `command` takes.
std::vector<OptionSpec> crypt_option_specs(const std::string& command);

// The help lines of those options.
extern const char* const kEncryptHelp;   // push
extern const char* const kIdentityHelp;  // get, list, expire, copy

// Reads the key files and recipients `args` gives into args->keys (left empty when none is
// given). kInvalidArgument for a key that does not parse, a file that cannot be read, a secret
// file (identity, fingerprint key) that other users may access, or recipients without a
// fingerprint key.
Status load_crypt_keys(Args* args);

}  // namespace walpipe::cli
