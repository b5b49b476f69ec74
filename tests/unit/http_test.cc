// HttpConnection against a server that writes the way Ceph RGW does by default: Nagle's
// algorithm on, and an answer's headers and body in separate writes. The kernel holds the body
// until the headers are acknowledged, and a client that lets its kernel delay that
// acknowledgement waits 40 ms for every such answer (a restore_command asking for a missing file
// gets one).
#include "s3/http.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace walpipe::s3 {
namespace {

constexpr std::string_view kHead =
    "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nContent-Length: 9\r\n\r\n";
constexpr std::string_view kBody = "<Error/>\n";

// Serves `answers` requests on one kept-alive connection, each answered in two writes.
class TwoWriteServer {
 public:
  explicit TwoWriteServer(int answers) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    EXPECT_EQ(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, answers] { serve(answers); });
  }
  ~TwoWriteServer() {
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }

 private:
  void serve(int answers) {
    const int fd = ::accept(listener_, nullptr, nullptr);
    ASSERT_GE(fd, 0);
    std::string pending;
    char buffer[4096];
    for (int answered = 0; answered < answers;) {
      if (pending.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        pending.append(buffer, static_cast<size_t>(n));
        continue;
      }
      pending.erase(0, pending.find("\r\n\r\n") + 4);
      EXPECT_EQ(::send(fd, kHead.data(), kHead.size(), 0), static_cast<ssize_t>(kHead.size()));
      EXPECT_EQ(::send(fd, kBody.data(), kBody.size(), 0), static_cast<ssize_t>(kBody.size()));
      ++answered;
    }
    ::close(fd);
  }

  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(HttpConnection, AnswersWrittenInTwoPartsDoNotWaitForADelayedAcknowledgement) {
  constexpr int kRequests = 25;
  TwoWriteServer server(kRequests);
  Result<std::unique_ptr<HttpConnection>> http = HttpConnection::create({});
  ASSERT_TRUE(http.is_ok()) << http.status().message();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    HttpRequest request{"GET", server.url(), {}, {}, 1024};
    Result<HttpAnswer> answer = (*http)->perform(request);
    ASSERT_TRUE(answer.is_ok()) << answer.status().message();
    EXPECT_EQ(answer->status, 404);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(answer->body.data()), answer->body.size()),
              kBody);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ((*http)->connections_opened(), 1);
  // Waiting for the delayed acknowledgement takes at least 40 ms an answer (the kernel's
  // shortest delay), 1 s for all of them; not waiting takes about a millisecond an answer.
  EXPECT_LT(elapsed, std::chrono::milliseconds(kRequests * 40 / 2))
      << "the body of each answer waited for the client's delayed acknowledgement";
}

}  // namespace
}  // namespace walpipe::s3
