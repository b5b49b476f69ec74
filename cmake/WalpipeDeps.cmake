# Every dependency is a Debian 12 package; nothing is downloaded at configure or build time.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(LIBURING REQUIRED IMPORTED_TARGET liburing)
pkg_check_modules(LIBZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LIBISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# OpenSSL 3 libcrypto: every primitive of age encryption (engine/crypt), nothing hand-written,
# and S3's hashes (engine/s3); both load it at run time and use only its headers.
find_package(OpenSSL 3.0 REQUIRED COMPONENTS Crypto)
# S3 (engine/s3): HTTP through libcurl, answers through expat, both loaded at run time by
# walpipe_s3 and only their headers used at build time.
find_package(CURL 7.85 REQUIRED)
pkg_check_modules(LIBEXPAT REQUIRED IMPORTED_TARGET expat)

# xxHash is used header-only (XXH_INLINE_ALL): the shared library build is several times slower.
find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
add_library(walpipe_xxhash INTERFACE)
target_include_directories(walpipe_xxhash SYSTEM INTERFACE ${XXHASH_INCLUDE_DIR})
target_compile_definitions(walpipe_xxhash INTERFACE XXH_INLINE_ALL)

if(WALPIPE_BUILD_TESTS)
  find_package(GTest REQUIRED)
  # The C2SP age test vectors keep their large files zlib-compressed (tests/corpus/age-cctv).
  find_package(ZLIB REQUIRED)
endif()
if(WALPIPE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
