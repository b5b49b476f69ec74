#include "s3/http.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "base/check.h"
#include "io/sockets.h"
#include "s3/libcurl.h"

namespace walpipe::s3 {
namespace {

// libcurl once create() has loaded it: every other member runs on a connection it made.
const LibCurl& loaded_curl() {
  Result<const LibCurl*> curl = libcurl();
  WALPIPE_CHECK(curl.is_ok());
  return **curl;
}

struct Exchange {
  Bytes upload;
  size_t sent = 0;
  HttpAnswer* answer = nullptr;
  size_t limit = 0;
  bool over_limit = false;
  // The empty line that ends the headers arrived: libcurl takes a connection closed halfway
  // through the headers for a whole answer, so a HEAD's cut short would pass for the store's.
  bool headers_ended = false;
};

size_t read_body(char* out, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t n = std::min(size * count, x->upload.size() - x->sent);
  std::memcpy(out, x->upload.data() + x->sent, n);
  x->sent += n;
  return n;
}

size_t take_body(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t n = size * count;
  if (x->answer->body.size() + n > x->limit) {
    x->over_limit = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  auto* p = reinterpret_cast<const std::byte*>(data);
  x->answer->body.insert(x->answer->body.end(), p, p + n);
  return n;
}

size_t take_header(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  // A new status line (after 100 Continue) starts the headers over.
  if (line.substr(0, 5) == "HTTP/") {
    x->answer->headers.clear();
    x->headers_ended = false;
    return n;
  }
  if (line == "\r\n" || line == "\n") {
    x->headers_ended = true;
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
    value.remove_suffix(1);
  // The body's room taken once: grown by doubling, a segment's object is copied twice over and
  // its pages are faulted in anew at each step. Never more than the limit, whatever is announced.
  if (name == "content-length") {
    uint64_t length = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (error == std::errc() && end == value.data() + value.size())
      x->answer->body.reserve(std::min<uint64_t>(length, x->limit));
  }
  x->answer->headers.push_back({std::move(name), std::string(value)});
  return n;
}

int socket_opened(void* sockets, curl_socket_t fd, curlsocktype purpose) {
  if (purpose == CURLSOCKTYPE_IPCXN) static_cast<std::vector<int>*>(sockets)->push_back(fd);
  return CURL_SOCKOPT_OK;
}

int socket_closed(void* sockets, curl_socket_t fd) {
  std::erase(*static_cast<std::vector<int>*>(sockets), fd);
  return io::close_socket(fd) ? 0 : 1;
}

// A server with Nagle's algorithm on (Ceph RGW's default) holds each small write until the one
// before it is acknowledged: a TLS 1.3 session ticket then an answer's headers, the headers then
// an error body. The kernel here delays that acknowledgement by 40 ms, and each such answer
// waited for it: a restore_command asking RGW for a missing file took 130 ms instead of 40,
// where cp takes 2. So what libcurl has read is acknowledged at once.
void acknowledge_now(const std::vector<int>& sockets) {
  for (int fd : sockets) io::acknowledge_now(fd);
}

// "host:port" for messages; the URL as given when libcurl cannot parse it.
std::string host_of(const LibCurl& c, const std::string& url) {
  std::string out = url;
  CURLU* u = c.url();
  if (u == nullptr) return out;
  if (c.url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (c.url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
      out = host;
      if (c.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        out += std::string(":") + port;
    }
    c.free(host);
    c.free(port);
  }
  c.url_cleanup(u);
  return out;
}

bool retryable_curl_error(CURLcode rc) {
  switch (rc) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_WRITE_ERROR:  // only ours: the answer was over its limit
      return false;
    default:
      return true;
  }
}

// The failure in words an operator reads without knowing libcurl; libcurl's own words follow.
std::string failure_words(const LibCurl& c, CURLcode rc, const char* words) {
  std::string detail = words;
  switch (rc) {
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      if (detail.find("reset") != std::string::npos) return "the connection was reset";
      break;
    case CURLE_PARTIAL_FILE:
      return "the answer was cut short";
    case CURLE_GOT_NOTHING:
      return "the server closed the connection without answering";
    case CURLE_OPERATION_TIMEDOUT:
      return "the server did not answer in time";
    default:
      break;
  }
  return c.easy_strerror(rc);
}

}  // namespace

const std::string* HttpAnswer::header(std::string_view name) const {
  for (const Header& h : headers)
    if (h.name == name) return &h.value;
  return nullptr;
}

Result<std::unique_ptr<HttpConnection>> HttpConnection::create(HttpOptions options) {
  WALPIPE_ASSIGN_OR_RETURN(const LibCurl* c, libcurl());
  CURL* curl = c->easy_init();
  CURLM* multi = c->multi_init();
  if (curl == nullptr || multi == nullptr) {
    if (curl != nullptr) c->easy_cleanup(curl);
    if (multi != nullptr) c->multi_cleanup(multi);
    return Status(Code::kIoError, "could not initialize libcurl");
  }
  return std::unique_ptr<HttpConnection>(new HttpConnection(curl, multi, std::move(options)));
}

HttpConnection::~HttpConnection() {
  const LibCurl& c = loaded_curl();
  c.easy_cleanup(static_cast<CURL*>(curl_));
  c.multi_cleanup(static_cast<CURLM*>(multi_));  // closes the kept connection
}

int HttpConnection::transfer(std::string* words) {
  const LibCurl& c = loaded_curl();
  auto* curl = static_cast<CURL*>(curl_);
  auto* multi = static_cast<CURLM*>(multi_);
  CURLMcode mc = c.multi_add_handle(multi, curl);
  int result = -1;
  if (mc == CURLM_OK) {
    int running = 1;
    for (;;) {
      mc = c.multi_perform(multi, &running);
      if (mc != CURLM_OK || running == 0) break;
      acknowledge_now(sockets_);
      // Wakes up as soon as a socket is ready, or at libcurl's next timeout if that comes first.
      mc = c.multi_poll(multi, nullptr, 0, 1000, nullptr);
      if (mc != CURLM_OK) break;
    }
    int left = 0;
    while (CURLMsg* m = c.multi_info_read(multi, &left))
      if (mc == CURLM_OK && m->msg == CURLMSG_DONE && m->easy_handle == curl)
        result = m->data.result;
    CURLMcode removed = c.multi_remove_handle(multi, curl);
    if (mc == CURLM_OK) mc = removed;
  }
  if (mc != CURLM_OK) {
    *words = c.multi_strerror(mc);
    return -1;
  }
  if (result < 0) *words = "libcurl did not say how the request ended";
  return result;
}

Result<HttpAnswer> HttpConnection::perform(const HttpRequest& request) {
  const LibCurl& c = loaded_curl();
  auto* curl = static_cast<CURL*>(curl_);
  // A reset forgets the last request's options but keeps the open connection for this one.
  c.easy_reset(curl);
  HttpAnswer answer;
  Exchange x{request.body, 0, &answer, request.answer_limit, false, false};
  char words[CURL_ERROR_SIZE] = "";

  curl_slist* headers = nullptr;
  for (const Header& h : request.headers)
    headers = c.slist_append(headers, (h.name + ": " + h.value).c_str());
  // libcurl would otherwise wait for "100 Continue" before a large body: one round trip more.
  headers = c.slist_append(headers, "Expect:");
  std::unique_ptr<curl_slist, decltype(c.slist_free_all)> owned(headers, c.slist_free_all);

  c.easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  c.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  c.easy_setopt(curl, CURLOPT_ERRORBUFFER, words);
  c.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  c.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  c.easy_setopt(curl, CURLOPT_TIMEOUT_MS, options_.total_timeout_ms);
  c.easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  c.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options_.ca_file.empty()) c.easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  c.easy_setopt(curl, CURLOPT_WRITEFUNCTION, take_body);
  c.easy_setopt(curl, CURLOPT_WRITEDATA, &x);
  c.easy_setopt(curl, CURLOPT_HEADERFUNCTION, take_header);
  c.easy_setopt(curl, CURLOPT_HEADERDATA, &x);
  c.easy_setopt(curl, CURLOPT_SOCKOPTFUNCTION, socket_opened);
  c.easy_setopt(curl, CURLOPT_SOCKOPTDATA, &sockets_);
  c.easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION, socket_closed);
  c.easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, &sockets_);
  if (request.method == "HEAD") {
    c.easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    c.easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    c.easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
    c.easy_setopt(curl, CURLOPT_READDATA, &x);
    c.easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    c.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, std::string(request.method).c_str());
  }

  std::string transfer_failure;
  const int result = transfer(&transfer_failure);
  if (result < 0) {
    retryable_ = false;
    return Status(Code::kIoError, "at \"" + host_of(c, request.url) + "\": " + transfer_failure);
  }
  const auto rc = static_cast<CURLcode>(result);
  long connects = 0;
  if (c.easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
    connections_opened_ += connects;
  if (rc == CURLE_OK && !x.headers_ended) {
    retryable_ = true;
    return Status(Code::kIoError, "at \"" + host_of(c, request.url) +
                                      "\": the answer was cut short in its headers");
  }
  if (rc != CURLE_OK) {
    retryable_ = retryable_curl_error(rc);
    std::string why = x.over_limit ? "the answer is larger than the " +
                                         std::to_string(request.answer_limit) + " bytes expected"
                                   : failure_words(c, rc, words);
    if (!x.over_limit && words[0] != '\0' && why != words) why += " (" + std::string(words) + ")";
    return Status(Code::kIoError, "at \"" + host_of(c, request.url) + "\": " + why);
  }
  c.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  retryable_ = false;
  return answer;
}

}  // namespace walpipe::s3
