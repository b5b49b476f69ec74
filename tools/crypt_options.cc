#include "crypt_options.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "crypt/keys.h"
#include "io/fs.h"

namespace walpipe::cli {

namespace {

const OptionSpec kEncryptTo{"encrypt-to", true};
const OptionSpec kRecipientsFile{"recipients-file", true};
const OptionSpec kFingerprintKey{"fingerprint-key", true};
const OptionSpec kIdentity{"identity", true};

// The bytes of key file `path` (one byte more than the limit, so that the parsers tell a file
// that is too large); `kind` names it in messages. A secret file must be its owner's alone.
Result<std::vector<std::byte>> read_key_file(const std::string& path, const std::string& kind,
                                             bool secret) {
  WALPIPE_ASSIGN_OR_RETURN(io::Fd fd, io::open_for_read(path));
  WALPIPE_ASSIGN_OR_RETURN(io::EntryInfo info, io::entry_info(fd, path));
  if (info.type != io::EntryType::kFile)
    return Status(Code::kInvalidArgument, kind + " \"" + path + "\" is not a regular file");
  if (secret && (info.mode & 077) != 0) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(info.mode & 07777));
    return Status(Code::kInvalidArgument,
                  kind + " \"" + path + "\" is accessible by other users (mode " + octal + ")")
        .with_hint("It holds a secret key: chmod 600 \"" + path + "\".");
  }
  // Sized by the file, a few hundred bytes: a buffer of the limit would be a megabyte of fresh
  // memory to fault in (milliseconds on a VM) for every command that reads a key.
  WALPIPE_ASSIGN_OR_RETURN(uint64_t size, io::file_size(fd, path));
  std::vector<std::byte> text(std::min<uint64_t>(size, crypt::kMaxKeyFileBytes) + 1);
  size_t have = 0;
  for (;;) {
    if (have == text.size()) {
      if (text.size() > crypt::kMaxKeyFileBytes) break;
      text.resize(crypt::kMaxKeyFileBytes + 1);  // it grew since its size was read
    }
    WALPIPE_ASSIGN_OR_RETURN(size_t n,
                             io::read_some(fd, have, std::span(text).subspan(have), path));
    if (n == 0) break;
    have += n;
  }
  text.resize(have);
  return text;
}

Status load_recipients(const Args& args, archive::SealingKeys* keys) {
  for (const std::string& text : args.all(kEncryptTo.name)) {
    Result<crypt::Recipient> recipient = crypt::parse_recipient(text);
    if (recipient.is_ok()) {
      keys->recipients.push_back(*recipient);
      continue;
    }
    // Never quoted: a secret key pasted into the wrong place has been shown enough.
    Status bad(Code::kInvalidArgument,
               "invalid value for option --encrypt-to: " + recipient.status().message());
    if (text.rfind("AGE-SECRET-KEY-", 0) == 0)
      return std::move(bad).with_hint(
          "That is an identity, a secret key: give its recipient (age-keygen -y FILE prints it), "
          "and keep the identity off this host.");
    return bad;
  }
  for (const std::string& path : args.all(kRecipientsFile.name)) {
    WALPIPE_ASSIGN_OR_RETURN(std::vector<std::byte> text,
                             read_key_file(path, "recipients file", false));
    WALPIPE_ASSIGN_OR_RETURN(std::vector<crypt::Recipient> recipients,
                             crypt::parse_recipients_file(text, path));
    keys->recipients.insert(keys->recipients.end(), recipients.begin(), recipients.end());
  }
  return Status::ok();
}

Status load_identities(const Args& args, archive::SealingKeys* keys) {
  for (const std::string& path : args.all(kIdentity.name)) {
    WALPIPE_ASSIGN_OR_RETURN(std::vector<std::byte> text,
                             read_key_file(path, "identity file", true));
    WALPIPE_ASSIGN_OR_RETURN(std::vector<crypt::Identity> identities,
                             crypt::parse_identity_file(text, path));
    for (crypt::Identity& identity : identities) keys->identities.push_back(std::move(identity));
    keys->identity_files.push_back(path);
  }
  return Status::ok();
}

}  // namespace

const char* const kEncryptHelp =
    "\n"
    "Encryption (see README, Encryption):\n"
    "      --encrypt-to=RECIPIENT\n"
    "                     encrypt each object with age to RECIPIENT (age1…); repeatable\n"
    "      --recipients-file=FILE\n"
    "                     encrypt to the recipients in FILE, as age -R reads it; repeatable\n"
    "      --fingerprint-key=FILE\n"
    "                     the secret (64 hex digits, mode 600) with which pushes recognise\n"
    "                     objects archived before without decrypting them; required with\n"
    "                     recipients, the same for every push into one archive\n";

const char* const kIdentityHelp =
    "\n"
    "Encryption (see README, Encryption):\n"
    "      --identity=FILE\n"
    "                     decrypt objects of an encrypted archive with the identities in FILE,\n"
    "                     as age-keygen writes it (mode 600); repeatable\n";

std::vector<OptionSpec> crypt_option_specs(const std::string& command) {
  if (command == "push") return {kEncryptTo, kRecipientsFile, kFingerprintKey};
  if (command == "copy") return {kEncryptTo, kRecipientsFile, kFingerprintKey, kIdentity};
  return {kIdentity};
}

Status load_crypt_keys(Args* args) {
  if (!args->has(kEncryptTo.name) && !args->has(kRecipientsFile.name) &&
      !args->has(kFingerprintKey.name) && !args->has(kIdentity.name))
    return Status::ok();
  auto keys = std::make_shared<archive::SealingKeys>();
  WALPIPE_TRY(load_recipients(*args, keys.get()));
  if (std::optional<std::string> path = args->get(kFingerprintKey.name)) {
    WALPIPE_ASSIGN_OR_RETURN(std::vector<std::byte> text,
                             read_key_file(*path, "fingerprint key file", true));
    WALPIPE_ASSIGN_OR_RETURN(archive::FingerprintKey key,
                             archive::parse_fingerprint_key(text, *path));
    keys->fingerprint_key = std::move(key);
  }
  if (!keys->recipients.empty() && !keys->fingerprint_key)
    return Status(Code::kInvalidArgument, "recipients are given without a fingerprint key")
        .with_hint(
            "Give --fingerprint-key FILE (or fingerprint-key in the configuration file): make "
            "the key once with openssl rand -hex 32 > FILE; chmod 600 FILE, and give every push "
            "into the archive a copy.");
  WALPIPE_TRY(load_identities(*args, keys.get()));
  args->keys = std::move(keys);
  return Status::ok();
}

}  // namespace walpipe::cli
