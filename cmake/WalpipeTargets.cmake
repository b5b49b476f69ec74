# walpipe_test(name SOURCES...): one GoogleTest binary registered with ctest, run from the
# source tree so tests can find tests/corpus and the built walpipe binary.
function(walpipe_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE walpipe_engine walpipe_test_support GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE WALPIPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(${name} walpipe)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  # Each binary leaves an XML report from which scripts/skipped_tests.sh names every skipped test.
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77
    ENVIRONMENT "GTEST_OUTPUT=xml:${CMAKE_BINARY_DIR}/test-results/${name}.xml")
endfunction()
