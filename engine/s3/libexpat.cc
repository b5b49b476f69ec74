#include "s3/libexpat.h"

#include <string>

#include "s3/shared_library.h"

namespace walpipe::s3 {

namespace {

constexpr const char* kSoname = "libexpat.so.1";  // the ABI every expat since 2.0 keeps

struct Loaded {
  LibExpat api{};
  std::string error;  // empty when every function resolved
};

Loaded load() {
  Loaded loaded;
  SharedLibrary lib(kSoname);
  LibExpat& a = loaded.api;
  lib.resolve("XML_ParserCreate", &a.parser_create);
  lib.resolve("XML_ParserFree", &a.parser_free);
  lib.resolve("XML_SetUserData", &a.set_user_data);
  lib.resolve("XML_SetElementHandler", &a.set_element_handler);
  lib.resolve("XML_SetCharacterDataHandler", &a.set_character_data_handler);
  lib.resolve("XML_SetStartDoctypeDeclHandler", &a.set_start_doctype_decl_handler);
  lib.resolve("XML_Parse", &a.parse);
  lib.resolve("XML_StopParser", &a.stop_parser);
  lib.resolve("XML_GetCurrentLineNumber", &a.get_current_line_number);
  lib.resolve("XML_GetErrorCode", &a.get_error_code);
  lib.resolve("XML_ErrorString", &a.error_string);
  loaded.error = lib.error();
  return loaded;
}

}  // namespace

Result<const LibExpat*> libexpat() {
  static const Loaded loaded = load();  // C++ makes this initialisation thread-safe
  if (!loaded.error.empty())
    return Status(Code::kUnsupported, "could not load libexpat: " + loaded.error)
        .with_hint("install it: apt-get install libexpat1");
  return &loaded.api;
}

}  // namespace walpipe::s3
