# walpipe_test(name SOURCES... [SLOW]): one GoogleTest binary registered with ctest, run from the
# source tree so tests can find tests/corpus and the built walpipe binaries. Its label says what
# running it costs: the folder of its first source, unit (pure, seconds), cli (runs the command)
# or integration (a real PostgreSQL), except that SLOW (over about 20 s) makes it `slow` instead
# of unit or cli. `ctest -L unit` runs in seconds; `ctest -LE 'slow|integration'` needs no server.
function(walpipe_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "SLOW" "" "")
  set(sources ${arg_UNPARSED_ARGUMENTS})
  list(GET sources 0 first)
  get_filename_component(label ${first} DIRECTORY)
  if(NOT label MATCHES "^(unit|cli|integration)$")
    message(FATAL_ERROR "walpipe_test(${name}): ${first} is not under unit/, cli/ or integration/")
  endif()
  if(arg_SLOW AND NOT label STREQUAL "integration")
    set(label slow)
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE walpipe_engine walpipe_test_support GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE WALPIPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(${name} walpipe walpipe-fault)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  # Each binary leaves an XML report from which scripts/skipped_tests.sh names every skipped test.
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS ${label}
    ENVIRONMENT "GTEST_OUTPUT=xml:${CMAKE_BINARY_DIR}/test-results/${name}.xml")
endfunction()
