#include "s3/client.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <thread>

#include "crypt/libcrypto.h"
#include "s3/backoff.h"
#include "s3/digest.h"
#include "s3/libexpat.h"
#include "s3/verdict.h"

namespace walpipe::s3 {

namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";

Status check_metadata(const Metadata& metadata) {
  for (const Header& h : metadata) {
    bool name_ok = !h.name.empty() && std::all_of(h.name.begin(), h.name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    bool value_ok =
        std::all_of(h.value.begin(), h.value.end(), [](char c) { return c >= 0x20 && c < 0x7f; }) &&
        (h.value.empty() || (h.value.front() != ' ' && h.value.back() != ' '));
    if (!name_ok || !value_ok)
      return Status(Code::kInvalidArgument, "invalid S3 user metadata \"" + h.name + "\"");
  }
  return Status::ok();
}

bool parse_size(const std::string* text, uint64_t* out) {
  if (text == nullptr || text->empty()) return false;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), *out);
  return ec == std::errc() && end == text->data() + text->size();
}

// "bytes FIRST-LAST/TOTAL" (TOTAL may be "*"): FIRST and LAST.
bool parse_content_range(const std::string* text, uint64_t* first, uint64_t* last) {
  constexpr std::string_view kUnit = "bytes ";
  if (text == nullptr || !text->starts_with(kUnit)) return false;
  const char* p = text->data() + kUnit.size();
  const char* end = text->data() + text->size();
  auto [after_first, ec1] = std::from_chars(p, end, *first);
  if (ec1 != std::errc() || after_first == end || *after_first != '-') return false;
  auto [after_last, ec2] = std::from_chars(after_first + 1, end, *last);
  return ec2 == std::errc() && after_last != end && *after_last == '/' && *first <= *last;
}

// Whether `answer` refuses the credentials themselves (expired, unknown, or signed with another
// secret), which new ones may cure. A HEAD's answer has no body to say so: any 400 or 403 may be.
bool refuses_credentials(std::string_view method, const HttpAnswer& answer) {
  if (answer.status != 400 && answer.status != 403) return false;
  std::optional<ErrorAnswer> error = parse_error(answer.body);
  if (!error) return method == "HEAD";
  return error->code == "ExpiredToken" || error->code == "TokenRefreshRequired" ||
         error->code == "InvalidToken" || error->code == "InvalidAccessKeyId" ||
         error->code == "SignatureDoesNotMatch";
}

bool same_credentials(const Credentials& a, const Credentials& b) {
  return a.access_key_id == b.access_key_id && a.secret_access_key == b.secret_access_key &&
         a.session_token == b.session_token;
}

// A 404 is "absent" only when the store says the key is absent: a missing bucket, a proxy's
// page or an empty body say nothing about the object.
Status not_found_or_error(std::string_view method, const std::string& what,
                          const HttpAnswer& answer) {
  std::optional<ErrorAnswer> error = parse_error(answer.body);
  if ((error && error->code == "NoSuchKey") || (!error && method == "HEAD"))
    return Status(Code::kNotFound, "object \"" + what + "\" does not exist");
  return Status(Code::kIoError, "could not " + std::string(method) + " \"" + what +
                                    "\": the server answered " + describe(answer));
}

}  // namespace

struct Client::Call {
  std::string_view method;
  std::string key;  // the full key, "" for the bucket itself
  std::vector<QueryParam> query;
  std::vector<Header> headers;  // besides the signing headers; all signed
  Bytes body;
  size_t answer_limit = kMaxXmlAnswer;
  bool body_is_object = false;
  std::vector<long> passed;  // statuses handed back to the caller unjudged
};

Result<std::unique_ptr<Client>> Client::create(const S3Settings& settings, const Location& where) {
  WALPIPE_ASSIGN_OR_RETURN(Endpoint endpoint, parse_endpoint(settings.endpoint, settings.region));
  // Every library is loaded before the first request: without expat, a 200 carrying an Error
  // document would pass for a success.
  if (Result<const LibExpat*> expat = libexpat(); !expat.is_ok()) return expat.status();
  if (Result<const crypt::LibCrypto*> crypto = crypt::libcrypto(); !crypto.is_ok())
    return crypto.status();
  WALPIPE_ASSIGN_OR_RETURN(std::unique_ptr<HttpConnection> http,
                           HttpConnection::create({settings.connect_timeout_ms,
                                                   settings.try_timeout_ms, settings.ca_file}));
  return std::unique_ptr<Client>(new Client(settings, where, std::move(endpoint), std::move(http)));
}

Client::Client(const S3Settings& settings, const Location& where, Endpoint endpoint,
               std::unique_ptr<HttpConnection> http)
    : settings_(settings),
      where_(where),
      endpoint_(std::move(endpoint)),
      http_(std::move(http)),
      clock_([] { return std::time(nullptr); }),
      seed_(std::random_device{}()) {}

std::string Client::full_key(std::string_view key) const {
  WALPIPE_CHECK(!key.empty());
  return where_.prefix.empty() ? std::string(key) : where_.prefix + "/" + std::string(key);
}

std::string Client::display(std::string_view full_key) const {
  return "s3://" + where_.bucket + (full_key.empty() ? "" : "/") + std::string(full_key);
}

Result<HttpAnswer> Client::exchange(const Call& call) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::milliseconds(settings_.deadline_ms);
  Backoff backoff(settings_.first_backoff_ms, settings_.max_backoff_ms, seed_++);
  const std::string what = display(call.key);
  const std::string payload_hash = sha256_hex(call.body);
  const std::string query = canonical_query(call.query);
  const Target target =
      target_for(endpoint_, settings_.virtual_host_style, where_.bucket, call.key, query);

  bool reread = false;
  for (int tries = 1;; ++tries) {
    // Signed afresh each try: x-amz-date must be close to the server's clock when it arrives.
    std::time_t now = clock_();
    HttpRequest request{call.method, target.url, {}, call.body, call.answer_limit};
    request.headers = {{"host", target.host},
                       {"x-amz-date", amz_date(now)},
                       {"x-amz-content-sha256", payload_hash}};
    if (!settings_.credentials.session_token.empty())
      request.headers.push_back({"x-amz-security-token", settings_.credentials.session_token});
    request.headers.insert(request.headers.end(), call.headers.begin(), call.headers.end());
    SigningInput in{call.method,  target.encoded_path, query, &request.headers,
                    payload_hash, settings_.region,    "s3",  now};
    request.headers.push_back({"authorization", sign_v4(in, settings_.credentials).authorization});

    Result<HttpAnswer> answer = http_->perform(request);
    Status why;
    bool retry = false;
    if (!answer.is_ok()) {
      why = Status(Code::kIoError, "could not " + std::string(call.method) + " \"" + what + "\" " +
                                       answer.status().message());
      retry = http_->retryable();
    } else {
      if (std::find(call.passed.begin(), call.passed.end(), answer->status) != call.passed.end())
        return answer;
      Judgement j = judge(call.method, what, *answer, call.body_is_object, now);
      if (j.verdict == Verdict::kSuccess) return answer;
      why = std::move(j.status);
      retry = j.verdict == Verdict::kRetry;
      if (!retry && !reread && settings_.reread_credentials &&
          refuses_credentials(call.method, *answer)) {
        reread = true;
        // Temporary keys are renewed, and rotated keys replaced, where they were read from;
        // the same keys again would be refused alike.
        Result<Credentials> fresh = settings_.reread_credentials();
        if (fresh.is_ok() && !same_credentials(*fresh, settings_.credentials)) {
          settings_.credentials = std::move(*fresh);
          continue;
        }
      }
    }
    if (!retry) return why;
    auto wait = std::chrono::milliseconds(backoff.next_wait_ms(tries));
    if (Clock::now() + wait >= deadline) {
      auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f", spent.count() / 1000.0);
      std::string gave_up =
          "gave up after " + std::to_string(tries) + " tries in " + seconds + " s";
      std::string detail = why.detail().empty() ? gave_up : why.detail() + "; " + gave_up;
      return Status(why.code(), why.message()).with_detail(detail).with_hint(why.hint());
    }
    std::this_thread::sleep_for(wait);
  }
}

Status Client::create_bucket() {
  Call call{"PUT", "", {}, {}, {}};
  std::string body;
  if (settings_.region != "us-east-1") {
    body = "<CreateBucketConfiguration><LocationConstraint>" + settings_.region +
           "</LocationConstraint></CreateBucketConfiguration>";
    call.body = std::as_bytes(std::span(body.data(), body.size()));
  }
  call.passed = {409};
  WALPIPE_ASSIGN_OR_RETURN(HttpAnswer answer, exchange(call));
  if (answer.status == 409) {
    std::optional<ErrorAnswer> error = parse_error(answer.body);
    if (!error || error->code != "BucketAlreadyOwnedByYou")
      return Status(Code::kIoError, "could not create bucket \"" + where_.bucket +
                                        "\": the server answered " + describe(answer));
  }
  return Status::ok();
}

Result<PutOutcome> Client::put_if_absent(std::string_view key, Bytes bytes,
                                         const Metadata& metadata) {
  WALPIPE_TRY(check_metadata(metadata));
  Call call{"PUT", full_key(key), {}, {}, bytes};
  call.headers = {{"content-md5", md5_base64(bytes)},
                  {"content-type", "application/octet-stream"},
                  {"if-none-match", "*"}};
  for (const Header& h : metadata)
    call.headers.push_back({std::string(kMetaPrefix) + h.name, h.value});
  call.passed = {412};
  WALPIPE_ASSIGN_OR_RETURN(HttpAnswer answer, exchange(call));
  return answer.status == 412 ? PutOutcome::kPreconditionFailed : PutOutcome::kWritten;
}

Result<ObjectInfo> Client::head(std::string_view key) {
  Call call{"HEAD", full_key(key), {}, {}, {}};
  call.passed = {404};
  WALPIPE_ASSIGN_OR_RETURN(HttpAnswer answer, exchange(call));
  if (answer.status == 404) return not_found_or_error("HEAD", display(call.key), answer);
  ObjectInfo info;
  if (!parse_size(answer.header("content-length"), &info.size))
    return Status(Code::kIoError, "could not HEAD \"" + display(call.key) +
                                      "\": the answer has no valid Content-Length");
  if (const std::string* etag = answer.header("etag")) info.etag = *etag;
  for (const Header& h : answer.headers)
    if (h.name.size() > kMetaPrefix.size() && h.name.starts_with(kMetaPrefix))
      info.metadata.push_back({h.name.substr(kMetaPrefix.size()), h.value});
  return info;
}

Result<std::vector<std::byte>> Client::get(std::string_view key, std::optional<ByteRange> range,
                                           size_t limit) {
  Call call{"GET", full_key(key), {}, {}, {}};
  call.answer_limit = limit;
  call.body_is_object = true;
  call.passed = {404};
  if (range) {
    WALPIPE_CHECK(range->first <= range->last);
    call.headers.push_back(
        {"range", "bytes=" + std::to_string(range->first) + "-" + std::to_string(range->last)});
  }
  WALPIPE_ASSIGN_OR_RETURN(HttpAnswer answer, exchange(call));
  std::string what = display(call.key);
  if (answer.status == 404) return not_found_or_error("GET", what, answer);
  if (range) {
    uint64_t want = range->last - range->first + 1;
    if (answer.status != 206)
      return Status(Code::kIoError, "could not GET \"" + what + "\": the server answered " +
                                        std::to_string(answer.status) + " to a ranged request");
    if (answer.body.size() != want)
      return Status(Code::kIoError, "could not GET \"" + what + "\": the server sent " +
                                        std::to_string(answer.body.size()) +
                                        " bytes for a range of " + std::to_string(want));
  }
  return std::move(answer.body);
}

Result<std::vector<std::byte>> Client::get_from(std::string_view key, uint64_t offset,
                                                uint64_t length) {
  if (length == 0) return std::vector<std::byte>();
  WALPIPE_CHECK(offset <= UINT64_MAX - length);
  const uint64_t last = offset + length - 1;
  Call call{"GET", full_key(key), {}, {}, {}};
  // Room for the error document of a 416 or a 404 too: a part is checked against its range.
  call.answer_limit = std::max<uint64_t>(length, kMaxXmlAnswer);
  call.body_is_object = true;
  // 416: the object ends before `offset`; asking its size first would cost a HEAD every time.
  call.passed = {404, 416};
  call.headers.push_back({"range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last)});
  WALPIPE_ASSIGN_OR_RETURN(HttpAnswer answer, exchange(call));
  std::string what = display(call.key);
  if (answer.status == 404) return not_found_or_error("GET", what, answer);
  if (answer.status == 416) return std::vector<std::byte>();
  if (answer.status != 206)
    return Status(Code::kIoError, "could not GET \"" + what + "\": the server answered " +
                                      std::to_string(answer.status) + " to a ranged request");
  uint64_t first = 0, sent_last = 0;
  if (!parse_content_range(answer.header("content-range"), &first, &sent_last) || first != offset ||
      sent_last > last || sent_last - first + 1 != answer.body.size())
    return Status(Code::kIoError, "could not GET \"" + what + "\": the server sent " +
                                      std::to_string(answer.body.size()) +
                                      " bytes that are not the range asked for from byte " +
                                      std::to_string(offset));
  return std::move(answer.body);
}

Result<ListPage> Client::list(const ListQuery& query) {
  WALPIPE_CHECK(query.max_keys > 0 && query.max_keys <= 1000);
  std::string base = where_.prefix.empty() ? "" : where_.prefix + "/";
  Call call{"GET", "", {{"list-type", "2"}, {"max-keys", std::to_string(query.max_keys)}}, {}, {}};
  if (!base.empty() || !query.prefix.empty()) call.query.push_back({"prefix", base + query.prefix});
  if (!query.start_after.empty()) call.query.push_back({"start-after", base + query.start_after});
  if (!query.continuation_token.empty())
    call.query.push_back({"continuation-token", query.continuation_token});
  WALPIPE_ASSIGN_OR_RETURN(HttpAnswer answer, exchange(call));
  WALPIPE_ASSIGN_OR_RETURN(ListAnswer parsed, parse_list(answer.body));

  ListPage page;
  page.truncated = parsed.truncated;
  page.continuation_token = std::move(parsed.next_token);
  for (ListEntry& e : parsed.entries) {
    if (!e.key.starts_with(base + query.prefix))
      return Status(Code::kIoError, "could not list \"" + display(base + query.prefix) +
                                        "\": the server listed \"" + e.key + "\", outside it");
    e.key.erase(0, base.size());
    page.entries.push_back(std::move(e));
  }
  return page;
}

Status Client::remove(std::string_view key) {
  Call call{"DELETE", full_key(key), {}, {}, {}};
  call.passed = {404};
  WALPIPE_ASSIGN_OR_RETURN(HttpAnswer answer, exchange(call));
  if (answer.status == 404) return not_found_or_error("DELETE", display(call.key), answer);
  return Status::ok();
}

}  // namespace walpipe::s3
