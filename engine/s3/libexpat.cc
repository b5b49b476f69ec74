#include "s3/libexpat.h"

#include "base/shared_library.h"

namespace walpipe::s3 {

namespace {

constexpr const char* kSoname = "libexpat.so.1";  // the ABI every expat since 2.0 keeps

void resolve_all(SharedLibrary& lib, LibExpat* a) {
  lib.resolve("XML_ParserCreate", &a->parser_create);
  lib.resolve("XML_ParserFree", &a->parser_free);
  lib.resolve("XML_SetUserData", &a->set_user_data);
  lib.resolve("XML_SetElementHandler", &a->set_element_handler);
  lib.resolve("XML_SetCharacterDataHandler", &a->set_character_data_handler);
  lib.resolve("XML_SetStartDoctypeDeclHandler", &a->set_start_doctype_decl_handler);
  lib.resolve("XML_Parse", &a->parse);
  lib.resolve("XML_StopParser", &a->stop_parser);
  lib.resolve("XML_GetCurrentLineNumber", &a->get_current_line_number);
  lib.resolve("XML_GetErrorCode", &a->get_error_code);
  lib.resolve("XML_ErrorString", &a->error_string);
}

}  // namespace

Result<const LibExpat*> libexpat() {
  // C++ makes this initialisation thread-safe.
  static const LoadedApi<LibExpat> loaded = load_api(kSoname, "libexpat", "libexpat1", resolve_all);
  return loaded.get();
}

}  // namespace walpipe::s3
