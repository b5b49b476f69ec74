// The engine's only error currency: a code that tells the operator what to do, a message
// worded like PostgreSQL's ("could not read file \"X\": Input/output error"), and optional
// detail and hint lines. No exception carries an expected failure across a layer.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "base/check.h"

namespace walpipe {

enum class Code {
  kOk = 0,
  kNotFound,         // the thing asked for does not exist (get: exit 1)
  kCorruption,       // bytes are present but wrong (bad CRC, bad header, bad object)
  kMismatch,         // valid, but belongs elsewhere (other cluster, other content)
  kIoError,          // the OS refused or failed an operation
  kNoSpace,          // ENOSPC / EDQUOT
  kUnsupported,      // a format or feature this build does not handle
  kInvalidArgument,  // the caller's input is malformed (usage, hostile name)
};

const char* code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {
    WALPIPE_CHECK(code != Code::kOk);
  }

  static Status ok() { return Status(); }
  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& detail() const { return detail_; }
  const std::string& hint() const { return hint_; }

  Status&& with_detail(std::string detail) && {
    detail_ = std::move(detail);
    return std::move(*this);
  }
  Status&& with_hint(std::string hint) && {
    hint_ = std::move(hint);
    return std::move(*this);
  }

  // message, then "DETAIL: …" and "HINT: …" on their own lines, as PostgreSQL prints them.
  std::string to_string() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string detail_;
  std::string hint_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    WALPIPE_CHECK(!std::get<Status>(state_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    WALPIPE_CHECK(!is_ok());
    return std::get<Status>(state_);
  }
  Status take_status() && {
    WALPIPE_CHECK(!is_ok());
    return std::move(std::get<Status>(state_));
  }
  T& value() & {
    WALPIPE_CHECK(is_ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    WALPIPE_CHECK(is_ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    WALPIPE_CHECK(is_ok());
    return std::move(std::get<T>(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace walpipe

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define WALPIPE_TRY(expr)                                         \
  do {                                                            \
    ::walpipe::Status walpipe_try_status_ = (expr);               \
    if (!walpipe_try_status_.is_ok()) return walpipe_try_status_; \
  } while (0)

// Declares `lhs` ("Type name" or "auto name") holding the value of the Result the rest of the
// arguments give, or returns that Result's Status from the enclosing function. The expression
// comes last so that commas inside it need no parentheses.
#define WALPIPE_ASSIGN_OR_RETURN(lhs, ...) \
  WALPIPE_ASSIGN_OR_RETURN_(WALPIPE_RESULT_NAME_(__LINE__), lhs, __VA_ARGS__)
#define WALPIPE_ASSIGN_OR_RETURN_(result, lhs, ...)            \
  auto result = (__VA_ARGS__);                                 \
  if (!result.is_ok()) return std::move(result).take_status(); \
  lhs = std::move(result).value()
#define WALPIPE_RESULT_NAME_(line) WALPIPE_RESULT_NAME_JOIN_(walpipe_result_, line)
#define WALPIPE_RESULT_NAME_JOIN_(prefix, line) prefix##line
