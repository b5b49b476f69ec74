# `cmake --build BUILD --target package` makes BUILD/walpipe_<version>_amd64.deb: /usr/bin/walpipe
# and its documentation. Its Depends come from dpkg-shlibdeps, which reads the libraries the
# binary really links (libstdc++ and libgcc are linked in, xxHash is header-only), so the list
# cannot drift from the link line. scripts/package_test.sh installs the package and checks it.
include(GNUInstallDirs)

install(FILES
  ${PROJECT_SOURCE_DIR}/README.md
  ${PROJECT_SOURCE_DIR}/docs/object-format.md
  ${PROJECT_SOURCE_DIR}/packaging/copyright
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME walpipe)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER
  "walpipe maintainers <maintainers@users.noreply.b-seed-92b8a842.example>")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "PostgreSQL WAL archiver and verifier")
# CPack puts the summary first; these are the lines under it (a newline right after "[[" is not
# part of the text).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION [[
walpipe push is an archive_command that verifies every WAL record before
archiving, compresses with zstd and commits durably. walpipe get is a
restore_command that checks what it restores and stops recovery on anything
but a confirmed absence. walpipe verify checks WAL segments, history files
and whole archives offline.]])
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded with dlopen, so dpkg-shlibdeps cannot see them: libpq by the commands that talk to a
# server (engine/pg/libpq.h), libcurl and libexpat for an archive in a bucket (engine/s3/),
# libcrypto (libssl3) for age encryption and S3 signatures (engine/crypt/libcrypto.h).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libpq5, libcurl4, libexpat1, libssl3")

include(CPack)
