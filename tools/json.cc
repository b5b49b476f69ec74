#include "json.h"

#include <cmath>
#include <cstdio>

namespace walpipe::json {

void Writer::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

// An object and an array open and close alike; only the bracket differs.
void Writer::open_container(char bracket) {
  separate();
  out_ += bracket;
  first_.push_back(true);
}
void Writer::close_container(char bracket) {
  out_ += bracket;
  first_.pop_back();
}

void Writer::begin_object() { open_container('{'); }
void Writer::end_object() { close_container('}'); }
void Writer::begin_array() { open_container('['); }
void Writer::end_array() { close_container(']'); }

void Writer::key(std::string_view k) {
  value(k);
  out_ += ':';
  after_key_ = true;
}

void Writer::value(std::string_view s) {
  separate();
  out_ += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out_ += '\\';
      out_ += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out_ += buf;
    } else {
      out_ += c;
    }
  }
  out_ += '"';
}

void Writer::value(uint64_t n) {
  separate();
  out_ += std::to_string(n);
}
void Writer::value(int64_t n) {
  separate();
  out_ += std::to_string(n);
}
void Writer::value(double d) {
  separate();
  // JSON has no NaN or infinity; times and ratios here are finite, but never write invalid JSON.
  if (!std::isfinite(d)) {
    out_ += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", d);
  out_ += buf;
}
void Writer::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
}
void Writer::null() {
  separate();
  out_ += "null";
}

}  // namespace walpipe::json
