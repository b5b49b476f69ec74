#include "base/status.h"

namespace walpipe {

const char* code_name(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kNotFound:
      return "not found";
    case Code::kCorruption:
      return "corruption";
    case Code::kMismatch:
      return "mismatch";
    case Code::kIoError:
      return "I/O error";
    case Code::kNoSpace:
      return "no space";
    case Code::kUnsupported:
      return "unsupported";
    case Code::kInvalidArgument:
      return "invalid argument";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out = message_;
  if (!detail_.empty()) out += "\nDETAIL: " + detail_;
  if (!hint_.empty()) out += "\nHINT: " + hint_;
  return out;
}

}  // namespace walpipe
