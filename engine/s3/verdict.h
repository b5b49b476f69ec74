// What an S3 answer means: success, worth another try, or a failure told in words. A failure's
// message says what the operator can do about it (wrong key, clock skew, missing bucket) and
// never quotes a credential.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "base/status.h"
#include "s3/http.h"

namespace walpipe::s3 {

enum class Verdict { kSuccess, kRetry, kFail };

struct Judgement {
  Verdict verdict = Verdict::kSuccess;
  Status status;  // why, unless kSuccess: the last try's reason when retries run out
};

// Judges `answer` to `method` on `what` (an s3:// name for messages). `body_is_object` says the
// body of a 200 is the object's bytes; otherwise a 200 whose body is an Error document is that
// error (some servers answer 200 and put the failure in the body). `local_now` is this machine's
// clock, quoted beside the server's Date when S3 says the two disagree.
//
// Retried: 5xx (but 501), 408, 429, SlowDown, RequestTimeout, InternalError. Any other 4xx is a
// failure, kIoError (the store could not be asked) or kUnsupported (501 NotImplemented). A 403
// without an Error document (a HEAD's) is told as a skewed clock when the answer's Date says so.
// 404 and 412 are not judged here: the caller knows what they mean for its request.
Judgement judge(std::string_view method, const std::string& what, const HttpAnswer& answer,
                bool body_is_object, std::time_t local_now);

// The status and S3 error code of `answer` as "404 NoSuchBucket", for messages.
std::string describe(const HttpAnswer& answer);

}  // namespace walpipe::s3
