#include "s3/verdict.h"

#include <ctime>
#include <optional>

#include "s3/xml_answer.h"

namespace walpipe::s3 {
namespace {

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(text, n);
}

bool retryable_code(std::string_view code) {
  return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" ||
         code == "ConditionalRequestConflict" || code == "ServiceUnavailable" ||
         code == "Throttling" || code == "ThrottlingException";
}

// Words for the 4xx codes an operator can act on.
std::string explain(std::string_view code, const HttpAnswer& answer, std::time_t local_now) {
  if (code == "RequestTimeTooSkewed") {
    const std::string* date = answer.header("date");
    return "this machine's clock (" + http_date(local_now) + ") differs too much from the " +
           "server's (" + (date ? *date : std::string("no Date in the answer")) + ")";
  }
  if (code == "SignatureDoesNotMatch")
    return "the secret access key is not the one the server holds for this access key ID";
  if (code == "InvalidAccessKeyId") return "the server does not know this access key ID";
  if (code == "ExpiredToken" || code == "TokenRefreshRequired")
    return "the session token has expired";
  if (code == "InvalidToken") return "the server does not accept the session token";
  if (code == "AccessDenied") return "access denied";
  if (code == "NoSuchBucket") return "the bucket does not exist";
  return "";
}

// A 403 without an Error document (a HEAD's answer has no body) does not say why. When the
// answer's Date is more than S3's 15 minutes from the signing time, the clock is the likely cause.
bool dates_disagree(const HttpAnswer& answer, std::time_t local_now) {
  const std::string* date = answer.header("date");
  std::tm tm{};
  if (date == nullptr || strptime(date->c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr)
    return false;
  std::time_t server = timegm(&tm);
  return server > local_now + 15 * 60 || local_now > server + 15 * 60;
}

std::string hint_for(std::string_view code) {
  if (code == "RequestTimeTooSkewed") return "Synchronize this machine's clock (NTP).";
  if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId")
    return "Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";
  if (code == "ExpiredToken" || code == "TokenRefreshRequired" || code == "InvalidToken")
    return "Renew the temporary credentials (AWS_SESSION_TOKEN).";
  return "";
}

}  // namespace

std::string describe(const HttpAnswer& answer) {
  std::string out = std::to_string(answer.status);
  if (std::optional<ErrorAnswer> error = parse_error(answer.body); error && !error->code.empty())
    out += " " + error->code;
  return out;
}

Judgement judge(std::string_view method, const std::string& what, const HttpAnswer& answer,
                bool body_is_object, std::time_t local_now) {
  long status = answer.status;
  std::optional<ErrorAnswer> error;
  if (status < 200 || status > 299 || !body_is_object) error = parse_error(answer.body);
  if (status >= 200 && status <= 299 && !error) return {Verdict::kSuccess, Status()};

  std::string code = error ? error->code : "";
  Verdict verdict = Verdict::kFail;
  if ((status >= 500 && status != 501) || status == 408 || status == 429 || retryable_code(code))
    verdict = Verdict::kRetry;

  std::string head = "could not " + std::string(method) + " \"" + what + "\": ";
  std::string answered = std::to_string(status) + (code.empty() ? "" : " " + code);
  std::string words = explain(code, answer, local_now);
  std::string hint = hint_for(code);
  if (status == 403 && !error) {
    if (dates_disagree(answer, local_now)) {
      words = explain("RequestTimeTooSkewed", answer, local_now);
      hint = hint_for("RequestTimeTooSkewed");
    } else {
      words = "the server refused the request without saying why";
      hint =
          "Check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), "
          "their rights on the bucket, and this machine's clock.";
    }
  }
  std::string message;
  if (status >= 200 && status <= 299)
    message = head + "the server answered " + std::to_string(status) + " with an error document (" +
              code + ")";
  else if (!words.empty())
    message = head + words + " (" + answered + ")";
  else
    message = head + "the server answered " + answered;

  Code result = status == 501 ? Code::kUnsupported : Code::kIoError;
  std::string detail;
  if (error && !error->message.empty()) detail = error->message.substr(0, 300);
  if (error && !error->request_id.empty())
    detail += (detail.empty() ? "" : "; ") + std::string("request ID ") + error->request_id;
  return {verdict, Status(result, message).with_detail(detail).with_hint(hint)};
}

}  // namespace walpipe::s3
