#include "s3/libcurl.h"

#include <string>

#include "base/shared_library.h"

namespace walpipe::s3 {

namespace {

constexpr const char* kSoname = "libcurl.so.4";  // the ABI every libcurl since 7.16 keeps
constexpr unsigned kOldest = 0x075500;           // 7.85.0, the first with CURLOPT_PROTOCOLS_STR

Status unsupported(const std::string& why) { return not_loaded("libcurl", why, "libcurl4"); }

LoadedApi<LibCurl> load() {
  LoadedApi<LibCurl> loaded;
  SharedLibrary lib(kSoname);
  LibCurl& a = loaded.api;
  lib.resolve("curl_easy_init", &a.easy_init);
  lib.resolve("curl_easy_cleanup", &a.easy_cleanup);
  lib.resolve("curl_easy_reset", &a.easy_reset);
  lib.resolve("curl_easy_setopt", &a.easy_setopt);
  lib.resolve("curl_easy_getinfo", &a.easy_getinfo);
  lib.resolve("curl_easy_strerror", &a.easy_strerror);
  lib.resolve("curl_multi_init", &a.multi_init);
  lib.resolve("curl_multi_cleanup", &a.multi_cleanup);
  lib.resolve("curl_multi_add_handle", &a.multi_add_handle);
  lib.resolve("curl_multi_remove_handle", &a.multi_remove_handle);
  lib.resolve("curl_multi_perform", &a.multi_perform);
  lib.resolve("curl_multi_poll", &a.multi_poll);
  lib.resolve("curl_multi_info_read", &a.multi_info_read);
  lib.resolve("curl_multi_strerror", &a.multi_strerror);
  lib.resolve("curl_slist_append", &a.slist_append);
  lib.resolve("curl_slist_free_all", &a.slist_free_all);
  lib.resolve("curl_url", &a.url);
  lib.resolve("curl_url_set", &a.url_set);
  lib.resolve("curl_url_get", &a.url_get);
  lib.resolve("curl_url_cleanup", &a.url_cleanup);
  lib.resolve("curl_free", &a.free);
  decltype(&::curl_version_info) version_info = nullptr;
  decltype(&::curl_global_init) global_init = nullptr;
  lib.resolve("curl_version_info", &version_info);
  lib.resolve("curl_global_init", &global_init);
  if (!lib.error().empty()) {
    loaded.failure = unsupported(lib.error());
    return loaded;
  }
  // An older libcurl would ignore CURLOPT_PROTOCOLS_STR as an unknown option and allow every
  // protocol it knows.
  const curl_version_info_data* version = version_info(CURLVERSION_NOW);
  if (version == nullptr || version->version_num < kOldest) {
    loaded.failure =
        unsupported(std::string(kSoname) + " is version " +
                    (version != nullptr ? version->version : "unknown") + ", older than 7.85.0");
    return loaded;
  }
  CURLcode rc = global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK)
    loaded.failure =
        Status(Code::kIoError, std::string("could not initialize libcurl: ") + a.easy_strerror(rc));
  return loaded;
}

}  // namespace

Result<const LibCurl*> libcurl() {
  static const LoadedApi<LibCurl> loaded = load();  // C++ makes this initialisation thread-safe
  return loaded.get();
}

}  // namespace walpipe::s3
