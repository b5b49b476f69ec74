// One HTTP(S) connection through libcurl, kept alive and reused from request to request (a
// TLS handshake costs more than a small PUT), acknowledging what it reads at once: a server with
// Nagle's algorithm on (Ceph RGW's default) would otherwise hold back part of a small answer for
// the 40 ms the kernel delays an acknowledgement. Not thread-safe: one per thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "s3/sigv4.h"

namespace walpipe::s3 {

struct HttpOptions {
  long connect_timeout_ms = 10'000;
  long total_timeout_ms = 60'000;  // one exchange, from connecting to the answer's last byte
  std::string ca_file;             // empty: the system's CAs
};

struct HttpRequest {
  std::string_view method;  // GET, HEAD, PUT, DELETE
  std::string url;          // never holds a secret: it may be quoted in messages
  std::vector<Header> headers;
  Bytes body;               // sent with PUT (may be empty)
  size_t answer_limit = 0;  // the most body bytes accepted
};

struct HttpAnswer {
  long status = 0;
  std::vector<Header> headers;  // names in lower case, in the order received
  std::vector<std::byte> body;

  // The first header named `name` (lower case), or nullptr.
  const std::string* header(std::string_view name) const;
};

class HttpConnection {
 public:
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection();

  // kUnsupported when libcurl is not installed (libcurl.h), kIoError when it cannot be set up.
  static Result<std::unique_ptr<HttpConnection>> create(HttpOptions options);

  // Sends `request` and reads the answer, whatever its status. A transport failure (refused,
  // reset, cut short, timeout, DNS, TLS, an answer body over the limit) is kIoError whose
  // message, `at "host:port": <reason in words> (<libcurl's words>)`, the caller completes by
  // naming what it asked for; retryable() then says whether trying again may help (not for a
  // bad certificate or an oversized answer).
  Result<HttpAnswer> perform(const HttpRequest& request);
  bool retryable() const { return retryable_; }
  // How many connections this object has opened: 1 after any number of requests to one server
  // that keeps the connection alive.
  long connections_opened() const { return connections_opened_; }

 private:
  HttpConnection(void* curl, void* multi, HttpOptions options)
      : curl_(curl), multi_(multi), options_(std::move(options)) {}

  // Runs the request set up on curl_ to its end; a libcurl result code, or -1 when the multi
  // handle itself failed (`words` then says why).
  int transfer(std::string* words);

  void* curl_;   // CURL*: the request's options
  void* multi_;  // CURLM*: runs each request and keeps the open connection between them
  // The sockets of libcurl's connections that are still open, to acknowledge on.
  std::vector<int> sockets_;
  HttpOptions options_;
  bool retryable_ = false;
  long connections_opened_ = 0;
};

}  // namespace walpipe::s3
