# walpipe_test(name SOURCES...): one GoogleTest binary registered with ctest, run from the
# source tree so tests can find ../shared/corpus and the built walpipe binary.
function(walpipe_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE walpipe_engine walpipe_test_support GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE WALPIPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(${name} walpipe)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()
