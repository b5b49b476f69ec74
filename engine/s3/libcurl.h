// libcurl, loaded when the first S3 connection is made. walpipe is one binary, and PostgreSQL
// starts it once per WAL file as archive_command and restore_command: linking libcurl would make
// every one of those starts load it and its thirty libraries (HTTP/2, IDN, SSH, LDAP, Kerberos,
// TLS) even for an archive in a folder, which costs more than the loader's whole start without
// them. Only an S3 archive loads it. The same holds for libexpat.h and crypt/libcrypto.h.
#pragma once

#include <curl/curl.h>

#include "base/status.h"

namespace walpipe::s3 {

// The libcurl functions the S3 client uses, resolved from libcurl.so.4. curl_easy_setopt and
// curl_easy_getinfo are variadic: called through these pointers with the same arguments.
struct LibCurl {
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_multi_strerror) multi_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_url) url;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_free) free;
};

// Loads libcurl and runs its global initialisation once per process (thread-safe: the
// initialisation itself is not) and returns its functions. kUnsupported with a HINT naming the
// package when it is not installed or older than 7.85 (CURLOPT_PROTOCOLS_STR); kIoError when
// it cannot initialise. The pointer lives as long as the process.
Result<const LibCurl*> libcurl();

}  // namespace walpipe::s3
