// A minimal streaming JSON writer for --json output: objects, arrays, strings, numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace walpipe::json {

class Writer {
 public:
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(uint64_t n);
  void value(int64_t n);
  void value(int n) { value(static_cast<int64_t>(n)); }
  void value(unsigned n) { value(static_cast<uint64_t>(n)); }
  void value(double d);  // three decimals: seconds to the millisecond
  void value(bool b);
  void null();

  // A member of the open object: its key, then its value. Every --json document is mostly
  // these, so a key can never be left without its value.
  template <typename T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }
  // A member that may have no value: null then.
  template <typename T>
  void field(std::string_view k, const std::optional<T>& v) {
    key(k);
    if (v)
      value(*v);
    else
      null();
  }

  const std::string& str() const { return out_; }

 private:
  void separate();
  void open_container(char bracket);
  void close_container(char bracket);
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace walpipe::json
