#include "support/s3_fault_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace walpipe::testing {
namespace {

// One socket read through a buffer: HTTP framing needs lines, then exact byte counts.
struct Wire {
  int fd = -1;
  std::string buf;

  bool fill() {
    char chunk[64 * 1024];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }
  bool take(size_t n, std::string* out) {
    while (buf.size() < n)
      if (!fill()) return false;
    out->append(buf, 0, n);
    buf.erase(0, n);
    return true;
  }
  // Up to and including `end`.
  bool take_until(std::string_view end, std::string* out) {
    for (;;) {
      if (size_t at = buf.find(end); at != std::string::npos) return take(at + end.size(), out);
      if (buf.size() > 64 * 1024 || !fill()) return false;
    }
  }
};

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The value of header `name` (lower case) in a message head, "" when absent. The body, if it
// follows, is not read.
std::string header(const std::string& message, std::string_view name) {
  std::string_view head(message);
  head = head.substr(0, head.find("\r\n\r\n") + 2);
  for (size_t at = head.find("\r\n"); at != std::string::npos && at + 2 < head.size();) {
    size_t end = head.find("\r\n", at + 2);
    std::string_view line = head.substr(at + 2, end - at - 2);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && lower(line.substr(0, colon)) == name) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      return std::string(v);
    }
    at = end;
  }
  return "";
}

// The body that follows `head`, as raw bytes (chunk framing kept). `until_close` is set when
// only the connection's end marks the body's end.
bool read_body(Wire& w, const std::string& head, bool has_body, std::string* raw,
               bool* until_close) {
  *until_close = false;
  if (!has_body) return true;
  if (lower(header(head, "transfer-encoding")).find("chunked") != std::string::npos) {
    for (;;) {
      size_t before = raw->size();
      if (!w.take_until("\r\n", raw)) return false;
      unsigned long size = std::strtoul(raw->c_str() + before, nullptr, 16);
      if (size == 0) {
        // Trailers, then the empty line.
        for (;;) {
          size_t line = raw->size();
          if (!w.take_until("\r\n", raw)) return false;
          if (raw->size() - line == 2) return true;
        }
      }
      if (!w.take(size + 2, raw)) return false;
    }
  }
  std::string length = header(head, "content-length");
  if (!length.empty()) return w.take(std::stoull(length), raw);
  if (head.rfind("HTTP/", 0) != 0) return true;  // a request without a body
  *until_close = true;
  while (w.fill()) {
  }
  raw->append(w.buf);
  w.buf.clear();
  return true;
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  return std::string(text, std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm));
}

// The answer a store gives for `kind`; a HEAD's has no body, as HTTP wants.
std::string canned(FaultKind kind, const std::string& method, int serial) {
  struct Canned {
    const char* status;
    const char* code;
    const char* message;
  } c{};
  std::time_t date = std::time(nullptr);
  switch (kind) {
    case FaultKind::kSlowDown503:
      c = {"503 Service Unavailable", "SlowDown", "Please reduce your request rate."};
      break;
    case FaultKind::kInternalError500:
      c = {"500 Internal Server Error", "InternalError", "We encountered an internal error."};
      break;
    case FaultKind::kErrorIn200:
      c = {"200 OK", "InternalError", "We encountered an internal error. Please try again."};
      break;
    case FaultKind::kPrecondition412:
      c = {"412 Precondition Failed", "PreconditionFailed",
           "At least one of the pre-conditions you specified did not hold"};
      break;
    case FaultKind::kClockSkew403:
      c = {"403 Forbidden", "RequestTimeTooSkewed",
           "The difference between the request time and the current time is too large."};
      date += 3600;
      break;
    case FaultKind::kExpiredToken400:
      c = {"400 Bad Request", "ExpiredToken", "The provided token has expired."};
      break;
    case FaultKind::kExpiredToken403:
      c = {"403 Forbidden", "ExpiredToken", "The provided token has expired."};
      break;
    default:
      return "";
  }
  std::string id = "fault-proxy-" + std::to_string(serial);
  std::string body = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>") +
                     c.code + "</Code><Message>" + c.message + "</Message><RequestId>" + id +
                     "</RequestId></Error>";
  std::string head =
      std::string("HTTP/1.1 ") + c.status +
      "\r\nContent-Type: application/xml\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nDate: " + http_date(date) + "\r\nx-amz-request-id: " + id + "\r\n\r\n";
  return method == "HEAD" ? head : head + body;
}

}  // namespace

std::unique_ptr<S3FaultProxy> S3FaultProxy::start(const std::string& upstream, std::string* why) {
  std::unique_ptr<S3FaultProxy> p(new S3FaultProxy());
  std::string_view rest = upstream;
  if (!rest.starts_with("http://")) {
    *why = "the fault proxy forwards to http:// only, not \"" + upstream + "\"";
    return nullptr;
  }
  rest.remove_prefix(7);
  if (rest.ends_with("/")) rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  p->upstream_host_ = std::string(rest.substr(0, colon));
  p->upstream_port_ =
      colon == std::string_view::npos ? 80 : std::stoi(std::string(rest.substr(colon + 1)));

  p->listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (p->listener_ < 0 || bind(p->listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(p->listener_, 64) != 0 ||
      getsockname(p->listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      pipe2(p->wake_, O_CLOEXEC) != 0) {
    *why = std::string("the fault proxy could not listen: ") + std::strerror(errno);
    return nullptr;
  }
  p->port_ = ntohs(addr.sin_port);
  p->acceptor_ = std::thread([raw = p.get()] { raw->accept_loop(); });
  return p;
}

S3FaultProxy::~S3FaultProxy() {
  stopping_ = true;
  if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Connection& c : connections_) {
      if (c.client >= 0) shutdown(c.client, SHUT_RDWR);
      if (c.upstream >= 0) shutdown(c.upstream, SHUT_RDWR);
    }
  }
  // No thread adds to the list any more; each removes nothing, so it can be walked unlocked.
  for (Connection& c : connections_) c.thread.join();
  for (int fd : {listener_, wake_[0], wake_[1]})
    if (fd >= 0) ::close(fd);
}

std::string S3FaultProxy::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void S3FaultProxy::inject(Fault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back(std::move(fault));
}

void S3FaultProxy::clear_faults() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
}

int S3FaultProxy::count(std::string_view method, std::string_view key_contains) const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(std::count_if(seen_.begin(), seen_.end(), [&](const Seen& s) {
    return (method.empty() || s.method == method) &&
           s.target.find(key_contains) != std::string::npos;
  }));
}

int S3FaultProxy::faults_applied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_;
}

bool S3FaultProxy::take_fault(const std::string& method, const std::string& target, Fault* out) {
  std::lock_guard<std::mutex> lock(mu_);
  seen_.push_back({method, target});
  for (auto f = faults_.begin(); f != faults_.end(); ++f) {
    if ((!f->method.empty() && f->method != method) ||
        target.find(f->key_contains) == std::string::npos)
      continue;
    *out = *f;
    if (--f->times <= 0) faults_.erase(f);
    ++applied_;
    return true;
  }
  return false;
}

void S3FaultProxy::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (stopping_ || (fds[1].revents & POLLIN)) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::list<Connection> finished;
    std::lock_guard<std::mutex> lock(mu_);
    for (auto c = connections_.begin(); c != connections_.end();)
      c->done ? finished.splice(finished.end(), connections_, c++) : void(++c);
    Connection& c = connections_.emplace_back();
    c.client = fd;
    c.thread = std::thread([this, &c] { serve(&c); });
    // Done threads only have to return: joining them under the lock cannot wait on it.
    for (Connection& f : finished) f.thread.join();
  }
}

void S3FaultProxy::close_fd(int* fd, bool reset) {
  std::lock_guard<std::mutex> lock(mu_);
  if (*fd < 0) return;
  if (reset) {
    linger hard{1, 0};  // close() then sends RST instead of FIN
    setsockopt(*fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  }
  ::close(*fd);
  *fd = -1;
}

bool S3FaultProxy::open_upstream(Connection* c) {
  close_fd(&c->upstream, false);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(upstream_host_.c_str(), std::to_string(upstream_port_).c_str(), &hints, &found) !=
      0)
    return false;
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  std::lock_guard<std::mutex> lock(mu_);
  if (!ok || stopping_) {
    if (fd >= 0) ::close(fd);
    return false;
  }
  c->upstream = fd;
  return true;
}

// Waits `ms`, or until the client hangs up or the proxy stops.
void S3FaultProxy::stall(Connection* c, long ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd fds[2] = {{c->client, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) return;
    if (fds[1].revents & POLLIN) return;
    char sink[4096];
    if ((fds[0].revents & (POLLIN | POLLHUP)) && recv(c->client, sink, sizeof sink, 0) <= 0) return;
  }
}

void S3FaultProxy::serve(Connection* c) {
  Wire client{c->client, {}};
  Wire upstream;
  bool until_close = false;
  while (!stopping_ && !until_close) {
    std::string request, answer_head, answer_body;
    if (!client.take_until("\r\n\r\n", &request) ||
        !read_body(client, request, true, &request, &until_close))
      break;
    size_t sp1 = request.find(' '), sp2 = request.find(' ', sp1 + 1);
    std::string method = request.substr(0, sp1);
    std::string target = percent_decoded(request.substr(sp1 + 1, sp2 - sp1 - 1));
    Fault f;
    bool faulty = take_fault(method, target, &f);
    if (faulty && f.kind == FaultKind::kStall) {
      stall(c, f.stall_ms);
      close_fd(&c->client, true);
      break;
    }
    if (faulty && f.kind == FaultKind::kStallMidBody) {
      // A fresh connection: a kept-alive one the store has dropped would swallow the half.
      size_t body = request.find("\r\n\r\n") + 4;
      std::string half = request.substr(0, body + (request.size() - body) / 2);
      if (open_upstream(c) && send_all(c->upstream, half)) stall(c, f.stall_ms);
      close_fd(&c->upstream, true);
      close_fd(&c->client, true);
      break;
    }
    bool wire_fault = faulty && (f.kind == FaultKind::kReset || f.kind == FaultKind::kTruncate);
    if (!faulty || f.after_store || wire_fault) {
      // The store may have closed a kept-alive connection meanwhile: when one reused gives
      // nothing back, the request goes once more over a fresh one.
      auto ask = [&] {
        upstream = Wire{c->upstream, {}};
        answer_head.clear();
        return send_all(upstream.fd, request) && upstream.take_until("\r\n\r\n", &answer_head);
      };
      bool reused = upstream.fd >= 0;
      bool sent = (reused || open_upstream(c)) && ask();
      if (!sent && reused) sent = open_upstream(c) && ask();
      size_t space = answer_head.find(' ');
      int status = sent && space != std::string::npos ? std::atoi(answer_head.c_str() + space) : 0;
      bool has_body = method != "HEAD" && status != 204 && status != 304 && status >= 200;
      if (!sent || !read_body(upstream, answer_head, has_body, &answer_body, &until_close)) break;
      if (until_close || lower(header(answer_head, "connection")) == "close") {
        close_fd(&c->upstream, false);
        upstream.fd = -1;
      }
    }
    if (!faulty) {
      if (!send_all(c->client, answer_head + answer_body)) break;
    } else if (wire_fault) {
      std::string part = answer_body.empty()
                             ? answer_head.substr(0, answer_head.size() / 2)
                             : answer_head + answer_body.substr(0, answer_body.size() / 2);
      send_all(c->client, part);
      close_fd(&c->client, f.kind == FaultKind::kReset);
      break;
    } else if (!send_all(c->client, canned(f.kind, method, faults_applied()))) {
      break;
    }
    if (lower(header(request, "connection")) == "close") break;
  }
  close_fd(&c->client, false);
  close_fd(&c->upstream, false);
  std::lock_guard<std::mutex> lock(mu_);
  c->done = true;
}

}  // namespace walpipe::testing
