#include "s3/xml_answer.h"

#include <charconv>
#include <functional>
#include <memory>
#include <string_view>

#include "s3/libexpat.h"

namespace walpipe::s3 {
namespace {

constexpr size_t kMaxDepth = 16;

// Calls `on_end(path, text)` at the end of every element, where path is "Root/Child/Leaf" and
// text the character data since the element's last child (all of it, for a leaf).
class Walker {
 public:
  using OnEnd = std::function<void(std::string_view path, std::string_view text)>;
  explicit Walker(OnEnd on_end) : on_end_(std::move(on_end)) {}

  // Empty on success, else why the document was refused.
  std::string run(Bytes body) {
    if (body.size() > kMaxXmlAnswer)
      return "the answer has " + std::to_string(body.size()) + " bytes, more than the " +
             std::to_string(kMaxXmlAnswer) + " read";
    Result<const LibExpat*> loaded = libexpat();
    if (!loaded.is_ok()) return loaded.status().message();
    xml_ = *loaded;
    std::unique_ptr<XML_ParserStruct, decltype(xml_->parser_free)> parser(
        xml_->parser_create(nullptr), xml_->parser_free);
    if (!parser) return "out of memory";
    parser_ = parser.get();
    xml_->set_user_data(parser_, this);
    xml_->set_element_handler(parser_, &Walker::start, &Walker::end);
    xml_->set_character_data_handler(parser_, &Walker::chars);
    xml_->set_start_doctype_decl_handler(parser_, &Walker::doctype);
    auto status = xml_->parse(parser_, reinterpret_cast<const char*>(body.data()),
                              static_cast<int>(body.size()), XML_TRUE);
    if (!refusal_.empty()) return refusal_;
    if (status != XML_STATUS_OK)
      return std::string("malformed XML at line ") +
             std::to_string(xml_->get_current_line_number(parser_)) + ": " +
             xml_->error_string(xml_->get_error_code(parser_));
    return "";
  }

  const std::string& root() const { return root_; }

 private:
  void stop(std::string why) {
    if (refusal_.empty()) refusal_ = std::move(why);
    xml_->stop_parser(parser_, XML_FALSE);
  }

  static void start(void* self_ptr, const XML_Char* name, const XML_Char**) {
    auto* self = static_cast<Walker*>(self_ptr);
    if (self->depth_ == kMaxDepth) return self->stop("XML nested deeper than S3 answers are");
    if (self->depth_ == 0) self->root_ = name;
    if (self->depth_ > 0) self->path_.push_back('/');
    self->path_ += name;
    self->depth_++;
    self->text_.clear();
  }

  static void end(void* self_ptr, const XML_Char*) {
    auto* self = static_cast<Walker*>(self_ptr);
    self->on_end_(self->path_, self->text_);
    self->text_.clear();
    size_t slash = self->path_.rfind('/');
    self->path_.resize(slash == std::string::npos ? 0 : slash);
    self->depth_--;
  }

  static void chars(void* self_ptr, const XML_Char* s, int len) {
    static_cast<Walker*>(self_ptr)->text_.append(s, static_cast<size_t>(len));
  }

  static void doctype(void* self_ptr, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<Walker*>(self_ptr)->stop("the answer has a DOCTYPE, which S3 never sends");
  }

  OnEnd on_end_;
  const LibExpat* xml_ = nullptr;
  XML_Parser parser_ = nullptr;
  std::string path_, text_, root_, refusal_;
  size_t depth_ = 0;
};

bool parse_u64(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

Status bad_listing(std::string why) {
  return Status(Code::kIoError, "could not read the S3 listing: " + std::move(why));
}

}  // namespace

std::optional<ErrorAnswer> parse_error(Bytes body) {
  ErrorAnswer answer;
  Walker walker([&](std::string_view path, std::string_view text) {
    if (path == "Error/Code") answer.code = text;
    if (path == "Error/Message") answer.message = text;
    if (path == "Error/RequestId") answer.request_id = text;
  });
  if (!walker.run(body).empty() || walker.root() != "Error") return std::nullopt;
  return answer;
}

Result<ListAnswer> parse_list(Bytes body) {
  ListAnswer answer;
  ListEntry entry;
  std::string field_error;
  bool saw_key_count = false;
  Walker walker([&](std::string_view path, std::string_view text) {
    if (path == "ListBucketResult/Contents/Key") {
      entry.key = text;
    } else if (path == "ListBucketResult/Contents/Size") {
      if (!parse_u64(text, &entry.size)) field_error = "Size \"" + std::string(text) + "\"";
    } else if (path == "ListBucketResult/Contents/ETag") {
      entry.etag = text;
    } else if (path == "ListBucketResult/Contents") {
      if (entry.key.empty()) field_error = "an entry without a Key";
      answer.entries.push_back(std::move(entry));
      entry = ListEntry{};
    } else if (path == "ListBucketResult/IsTruncated") {
      if (text != "true" && text != "false")
        field_error = "IsTruncated \"" + std::string(text) + "\"";
      answer.truncated = text == "true";
    } else if (path == "ListBucketResult/NextContinuationToken") {
      answer.next_token = text;
    } else if (path == "ListBucketResult/KeyCount") {
      saw_key_count = true;
      if (!parse_u64(text, &answer.key_count))
        field_error = "KeyCount \"" + std::string(text) + "\"";
    }
  });
  std::string refusal = walker.run(body);
  if (!refusal.empty()) return bad_listing(refusal);
  if (walker.root() == "Error") {
    std::optional<ErrorAnswer> error = parse_error(body);
    return bad_listing("the server answered " + (error ? error->code : std::string("an error")));
  }
  if (walker.root() != "ListBucketResult")
    return bad_listing("the answer is a <" + walker.root() + "> document, not <ListBucketResult>");
  if (!field_error.empty()) return bad_listing("it has " + field_error);
  if (saw_key_count && answer.key_count != answer.entries.size())
    return bad_listing("KeyCount says " + std::to_string(answer.key_count) + " but it lists " +
                       std::to_string(answer.entries.size()));
  if (answer.truncated && answer.next_token.empty())
    return bad_listing("it is truncated but has no NextContinuationToken");
  return answer;
}

}  // namespace walpipe::s3
