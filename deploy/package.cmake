# package.cmake - what `cmake --install` lays out (GNUInstallDirs) and the
# Debian package `cpack -G DEB` makes of it; included by CMakeLists.txt.
#
#   bin/timebok                     the installed build (TIMEBOK_INSTALLED: its
#                                   default --static-dir is the one below)
#   share/timebok/static/           the web front-end
#   share/man/man8/timebok.8.gz     the manual (deploy/timebok.8)
#   share/doc/timebok/              copyright, changelog.Debian.gz, README.md
#   /lib/systemd/system/timebok.service   (prefix /usr; else PREFIX/lib/...)
#   SYSCONFDIR/timebok/timebok.env  the settings, root-only (a conffile)
#
# The package: deploy/build-deb.sh builds it; the maintainer scripts in
# deploy/debian/ make the system user timebok and /var/lib/timebok (0700),
# enable the unit without starting it (it waits for SYSCONFDIR/timebok/configured),
# and on purge remove the user, the data and the settings.  Depends come from
# the binary's shared libraries (dpkg-shlibdeps) plus adduser.
set(TIMEBOK_ETC_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/timebok")
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(unit_dir /lib/systemd/system) # Debian 12 keeps units in /lib
else()
  set(unit_dir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
set(TIMEBOK_SYSTEMD_UNIT_DIR ${unit_dir} CACHE PATH "where the systemd unit is installed")
set(TIMEBOK_DEB_RELEASE 1 CACHE STRING "the Debian revision of the package")

set(gen ${CMAKE_BINARY_DIR}/deploy)
configure_file(${CMAKE_SOURCE_DIR}/deploy/timebok.service.in ${gen}/timebok.service @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/deploy/debian/changelog.in ${gen}/changelog.Debian @ONLY)
# gzip -n: no name or time stamp inside, so the package is reproducible
foreach(pair "${CMAKE_SOURCE_DIR}/deploy/timebok.8|timebok.8.gz"
             "${gen}/changelog.Debian|changelog.Debian.gz")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 in)
  list(GET pair 1 out)
  add_custom_command(OUTPUT ${gen}/${out}
                     COMMAND sh -c "gzip -9n -c '${in}' > '${gen}/${out}'"
                     DEPENDS ${in} VERBATIM)
  list(APPEND gz ${gen}/${out})
endforeach()
add_custom_target(timebok-docs ALL DEPENDS ${gz})

install(TARGETS timebok-installed RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/static/ DESTINATION ${CMAKE_INSTALL_DATADIR}/timebok/static)
install(FILES ${gen}/timebok.service DESTINATION ${TIMEBOK_SYSTEMD_UNIT_DIR})
install(FILES ${gen}/timebok.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/debian/copyright ${gen}/changelog.Debian.gz
              ${CMAKE_SOURCE_DIR}/deploy/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/deploy/debian/timebok.lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME timebok)
# The settings may hold passwords: root-only.  A later `cmake --install`
# keeps an existing file (the package's conffile handling does the same).
install(CODE "
  if(EXISTS \"\$ENV{DESTDIR}${TIMEBOK_ETC_DIR}/timebok.env\")
    message(STATUS \"Keeping: \$ENV{DESTDIR}${TIMEBOK_ETC_DIR}/timebok.env\")
  else()
    file(INSTALL DESTINATION \"${TIMEBOK_ETC_DIR}\" TYPE FILE
         PERMISSIONS OWNER_READ OWNER_WRITE RENAME timebok.env
         FILES \"${CMAKE_SOURCE_DIR}/deploy/timebok.env.example\")
  endif()")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME timebok)
set(CPACK_PACKAGE_VENDOR "The timebok authors")
set(CPACK_PACKAGE_CONTACT "timebok maintainers <timebok@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "booking of video consultations for outpatient clinics")
set(CPACK_PACKAGE_DESCRIPTION
    "Health secretaries book clinicians and rooms in a browser, video by default;\n\
patients answer an invitation link (confirm, meet in person instead, cancel)\n\
with no account; clinicians get a daily list with a button to join.  One\n\
small program: an embedded HTTP server with a JSON API over SQLite and the\n\
web front-end.  See man timebok(8) and /usr/share/doc/timebok/README.md.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${TIMEBOK_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libcurl, libical and cjose are opened at their first use (server/lazylib.h),
# so dpkg-shlibdeps does not see them: named here.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libcurl4, libical3, libcjose0")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles ${CMAKE_SOURCE_DIR}/deploy/debian/postinst
    ${CMAKE_SOURCE_DIR}/deploy/debian/prerm ${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
include(CPack)
