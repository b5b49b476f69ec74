// An archive object sealed as one age file (sealing.h), and opened again: pure functions over
// bytes, which encrypted_store.h calls with what the store under it reads and writes.
//
// Opening fails with kCorruption when the age file is damaged, truncated, reordered or
// re-headered (the message says where, without naming the object: the caller does), and with
// kIoError naming the object when no identity was given or none of those given opens it: then
// the message says whom the object was encrypted to and which identity files were tried.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive/sealing.h"
#include "base/bytes.h"
#include "base/status.h"
#include "codec/fingerprint.h"
#include "io/large_buffer.h"

namespace walpipe::archive {

// The bytes of a header of this many bytes at most are read to open an object's start; a header
// with a few hundred recipients fits.
inline constexpr size_t kMaxSealedHeaderSize = 64 * 1024;

// The age file of `object` for `keys.recipients` (at least one), with walpipe's stanzas for an
// object whose keyed fingerprint is `keyed`; a fresh file key every call. Its size is a multiple
// of 4096 (a padding stanza in the header, crypt/age_file.h). Sealed on up to `threads` threads.
// kIoError only when OpenSSL fails. Written into `out` (grown as needed), which may come from an
// earlier call: its pages are in memory already.
Result<io::LargeBuffer> seal_object(Bytes object, const Fingerprint& keyed,
                                    const SealingKeys& keys, unsigned threads,
                                    io::LargeBuffer out = {});

// The largest age file that holds an object of `plain_size` bytes sealed by seal_object().
uint64_t sealed_object_limit(uint64_t plain_size);

// The object sealed in `sealed`, a whole age file, opened with `keys.identities` on up to
// `threads` threads. `where` names the object in messages.
Result<io::LargeBuffer> open_object(Bytes sealed, const SealingKeys& keys,
                                    const std::string& where, unsigned threads);

// The first bytes of the object sealed in the age file that `start` begins: at least its first
// 64 KiB when `start` holds the header, the payload nonce and two whole chunks, and some bytes
// of the file follow `start`; the whole object when `complete` (`start` is the whole file).
Result<std::vector<std::byte>> open_object_start(Bytes start, bool complete,
                                                 const SealingKeys& keys,
                                                 const std::string& where);

// What walpipe's stanzas in the header at the start of `start` say; kCorruption when it holds
// no complete age header.
Result<SealedHeader> sealed_header(Bytes start);

}  // namespace walpipe::archive
