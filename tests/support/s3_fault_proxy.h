// A loopback HTTP proxy between an S3 client and a real store (tests/support/rgw.h) that breaks
// chosen requests on purpose: error answers the store could give (503 SlowDown, 500, a 200 with
// an Error document, 412, a skewed clock, an expired token) and failures of the wire (a reset
// mid-answer, an answer cut short, a silence longer than the client waits). Everything else is
// forwarded byte for byte over one kept-alive upstream connection per client connection, so
// SigV4 signatures (Host included) stay valid. Serves any number of connections at once, from
// this process or others (point AWS_ENDPOINT_URL at endpoint()). Plain http only.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace walpipe::testing {

enum class FaultKind {
  // Answers in the store's place (or, with after_store, in place of the store's answer).
  kSlowDown503,       // 503 SlowDown
  kInternalError500,  // 500 InternalError
  kErrorIn200,        // 200 whose body is <Error><Code>InternalError</Code>...
  kPrecondition412,   // 412 PreconditionFailed
  kClockSkew403,      // 403 RequestTimeTooSkewed, the answer's Date an hour ahead
  kExpiredToken400,   // 400 ExpiredToken
  kExpiredToken403,   // 403 ExpiredToken
  // The store's answer cut in half (its body, or its head when it has no body), then...
  kReset,     // ...a TCP reset (SO_LINGER 0)
  kTruncate,  // ...a clean close
  // Nothing at all for stall_ms (the store never sees the request), then a reset.
  kStall,
  // The request's head and half its body sent to the store over a fresh connection, then
  // nothing for stall_ms or until the client hangs up, then a reset both ways: the store holds
  // an upload cut off mid-body, as when the sender dies.
  kStallMidBody,
};

struct Fault {
  FaultKind kind = FaultKind::kSlowDown503;
  std::string method;        // "GET", "PUT", ...; "" for any
  std::string key_contains;  // matched in the decoded request target (path and query); "" any
  int times = 1;             // how many matching requests it breaks, from the next one on
  // The request reaches the store first and only its answer is replaced, as when an answer is
  // lost after the store acted. Always so for kReset and kTruncate; never for the stalls.
  bool after_store = false;
  long stall_ms = 5000;
};

class S3FaultProxy {
 public:
  // Listens on 127.0.0.1 (a port the kernel picks) and forwards to `upstream`
  // ("http://host:port"). nullptr with `why` set when it cannot.
  static std::unique_ptr<S3FaultProxy> start(const std::string& upstream, std::string* why);
  // Closes every connection and waits for its threads.
  ~S3FaultProxy();
  S3FaultProxy(const S3FaultProxy&) = delete;
  S3FaultProxy& operator=(const S3FaultProxy&) = delete;

  // "http://127.0.0.1:PORT".
  std::string endpoint() const;
  // Faults apply in the order injected: a request takes the first one that matches.
  void inject(Fault fault);
  // Forgets the faults not used up yet.
  void clear_faults();
  // Requests received (broken or not) with `method` ("" any) whose decoded target contains
  // `key_contains`. A listing is a GET whose target holds "list-type=2".
  int count(std::string_view method, std::string_view key_contains = "") const;
  // How many requests the faults broke so far.
  int faults_applied() const;

 private:
  struct Seen {
    std::string method;
    std::string target;
  };
  struct Connection {
    int client = -1;
    int upstream = -1;
    bool done = false;
    std::thread thread;
  };

  S3FaultProxy() = default;
  void accept_loop();
  void serve(Connection* c);
  // The fault the request takes, if any, used up by one.
  bool take_fault(const std::string& method, const std::string& target, Fault* out);
  bool open_upstream(Connection* c);
  void close_fd(int* fd, bool reset);
  void stall(Connection* c, long ms);

  std::string upstream_host_;
  int upstream_port_ = 0;
  int port_ = 0;
  int listener_ = -1;
  int wake_[2] = {-1, -1};  // a pipe: written when the proxy stops, ends every wait
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable std::mutex mu_;  // guards everything below, and the fds inside connections_
  std::vector<Fault> faults_;
  std::vector<Seen> seen_;
  int applied_ = 0;
  std::list<Connection> connections_;
};

}  // namespace walpipe::testing
