// OpenSSL readies each algorithm on its first use in a process: the default provider and its
// tables of names, the DRBG and its seeding, the key manager of X25519, the cipher. Measured
// here, all of it: 4 to 7 ms, most of it page faults in libcrypto, which this virtual machine
// makes dear. An encrypting push met what the fingerprint key's id had not already readied (the
// DRBG above all) only once its segment was compressed, on the path PostgreSQL waits on.
//
// A WarmUp uses each primitive an age file needs once, on a thread of its own, from the moment
// it is made: in an encrypting push, while the segment is read, checked and compressed. (A get
// has no such stretch before its first decryption: tried, it gained nothing measurable.) Every
// primitive stays safe to call meanwhile (OpenSSL's set-up is once-only and thread-safe): one
// called early merely waits for it.
#pragma once

namespace walpipe::crypt {

class WarmUp {
 public:
  // Starts the set-up, unless a WarmUp of this process already did.
  WarmUp();
  // Waits for the set-up this one started.
  ~WarmUp();
  WarmUp(const WarmUp&) = delete;
  WarmUp& operator=(const WarmUp&) = delete;

 private:
  bool started_ = false;
};

}  // namespace walpipe::crypt
