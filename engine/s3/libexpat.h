// expat, loaded when S3 first reads an answer: linked, every start of walpipe would load it
// (libcurl.h says why that matters).
#pragma once

#include <expat.h>

#include "base/status.h"

namespace walpipe::s3 {

// The expat functions xml_answer.cc uses, resolved from libexpat.so.1.
struct LibExpat {
  decltype(&::XML_ParserCreate) parser_create;
  decltype(&::XML_ParserFree) parser_free;
  decltype(&::XML_SetUserData) set_user_data;
  decltype(&::XML_SetElementHandler) set_element_handler;
  decltype(&::XML_SetCharacterDataHandler) set_character_data_handler;
  decltype(&::XML_SetStartDoctypeDeclHandler) set_start_doctype_decl_handler;
  decltype(&::XML_Parse) parse;
  decltype(&::XML_StopParser) stop_parser;
  decltype(&::XML_GetCurrentLineNumber) get_current_line_number;
  decltype(&::XML_GetErrorCode) get_error_code;
  decltype(&::XML_ErrorString) error_string;
};

// Loads expat once per process (thread-safe) and returns its functions; kUnsupported with a HINT
// naming the package when it is not installed. The pointer lives as long as the process.
Result<const LibExpat*> libexpat();

}  // namespace walpipe::s3
