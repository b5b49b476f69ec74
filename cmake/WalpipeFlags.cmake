# Warnings are errors so that a clean build stays clean; sanitizers are opt-in per build tree.
add_compile_options(-Wall -Wextra -Wpedantic -Werror -Wshadow -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_options(-Wthread-safety)
endif()
if(WALPIPE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
  # The tests start thousands of walpipe processes. A position-independent sanitized walpipe
  # spends a third of each start applying its ~560,000 relative relocations (the sanitizers'
  # descriptors of every global and string): 0.15 s against 0.10 s per start measured here.
  add_link_options(-no-pie)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports -Wrestrict on plain std::string concatenation at -O3 (GCC bug 105329).
  add_compile_options(-Wno-restrict)
endif()
