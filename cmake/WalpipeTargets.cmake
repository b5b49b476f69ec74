# walpipe_test(name SOURCES... [SLOW] [RGW] [SHARDS n]): one GoogleTest binary registered with
# ctest, run from the source tree so tests can find tests/corpus and the built walpipe binaries.
# Its label says what running it costs: the folder of its first source, unit (pure, seconds), cli
# (runs the command) or integration (a real PostgreSQL), except that SLOW (over about 20 s) makes
# it `slow` instead of unit or cli. `ctest -L unit` runs in seconds; `ctest -LE 'slow|integration'`
# needs no server. RGW: the program talks S3 to the one Ceph RADOS Gateway of the run, the `rgw`
# fixture of tests/CMakeLists.txt, named by WALPIPE_TEST_RGW (tests/support/rgw.h). SHARDS: the
# program is registered as name_0 … name_<n-1>, each running every n-th case (GoogleTest's
# sharding), so a program of long cases does not hold one ctest slot while the other one idles.
function(walpipe_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "SLOW;RGW" "SHARDS" "")
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
  target_precompile_headers(${name} REUSE_FROM walpipe_test_support)
  add_dependencies(${name} walpipe walpipe-fault)
  if(arg_SHARDS)
    math(EXPR last "${arg_SHARDS} - 1")
    foreach(shard RANGE ${last})
      list(APPEND tests ${name}_${shard})
    endforeach()
  else()
    set(tests ${name})
  endif()
  foreach(test ${tests})
    add_test(NAME ${test} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    # Each leaves an XML report from which scripts/skipped_tests.sh names every skipped test.
    set(environment GTEST_OUTPUT=xml:${CMAKE_BINARY_DIR}/test-results/${test}.xml)
    if(arg_SHARDS)
      string(REPLACE "${name}_" "" shard ${test})
      list(APPEND environment GTEST_TOTAL_SHARDS=${arg_SHARDS} GTEST_SHARD_INDEX=${shard})
    endif()
    if(arg_RGW)
      list(APPEND environment WALPIPE_TEST_RGW=${CMAKE_BINARY_DIR}/shared-rgw)
      set_tests_properties(${test} PROPERTIES FIXTURES_REQUIRED rgw)
    endif()
    # A fresh build has no timings of earlier runs to order by: the slow programs start first,
    # so that the run does not end with one of them holding a core while the other idles.
    set(cost 0)
    if(label MATCHES "^(slow|integration)$")
      set(cost 100)
    endif()
    set_tests_properties(${test} PROPERTIES SKIP_RETURN_CODE 77 LABELS ${label}
      ENVIRONMENT "${environment}" COST ${cost})
  endforeach()
  # For the caller's set_tests_properties.
  set(${name}_tests ${tests} PARENT_SCOPE)
endfunction()
