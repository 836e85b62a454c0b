# Install and export rules, included by the top-level CMakeLists.txt when
# BUFFER_OAUTH_INSTALL is ON. Consumers then use either
#   find_package(buffer_oauth 0.1 REQUIRED)  ->  buffer_oauth::buffer_oauth
#                                               (and buffer_oauth::fmt, ::curl, ::httplib,
#                                               ::beast when their libraries are found)
# or pkg-config --cflags buffer_oauth.
# Config and .pc files go in the data directory: the library is header-only
# and architecture-independent, so one install serves every architecture.

include(CMakePackageConfigHelpers)

set(BUFFER_OAUTH_CMAKE_DIR "${CMAKE_INSTALL_DATADIR}/cmake/buffer_oauth"
    CACHE STRING "Where buffer_oauthConfig.cmake is installed, relative to the prefix")
set(BUFFER_OAUTH_PKGCONFIG_DIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
    CACHE STRING "Where buffer_oauth.pc is installed, relative to the prefix")
mark_as_advanced(BUFFER_OAUTH_CMAKE_DIR BUFFER_OAUTH_PKGCONFIG_DIR)

# include/ holds exactly the public headers: the core, the {fmt} formatters
# and the transport adapters, each installed whether or not its library is
# found here, as the consumer's own find_package decides what it can use.
file(GLOB _bo_headers CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/include/buffer_oauth*.hpp")
install(FILES ${_bo_headers} DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

set_target_properties(buffer_oauth PROPERTIES EXPORT_NAME buffer_oauth)
install(TARGETS buffer_oauth EXPORT buffer_oauthTargets)

# Only the core target is exported. buffer_oauth::fmt and the adapters'
# targets are re-created by the config file when the consumer's own
# find_package of their libraries succeeds, so the installed package never
# hard-depends on any of them.
install(EXPORT buffer_oauthTargets
  NAMESPACE buffer_oauth::
  DESTINATION "${BUFFER_OAUTH_CMAKE_DIR}")

# The build tree is a usable package too: -Dbuffer_oauth_DIR=<build dir>.
export(EXPORT buffer_oauthTargets
  NAMESPACE buffer_oauth::
  FILE "${PROJECT_BINARY_DIR}/buffer_oauthTargets.cmake")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/buffer_oauthConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/buffer_oauthConfig.cmake"
  INSTALL_DESTINATION "${BUFFER_OAUTH_CMAKE_DIR}"
  NO_SET_AND_CHECK_MACRO)

# Any version with the same major number satisfies a request. A header-only
# package fits every architecture, so no pointer-size check (ARCH_INDEPENDENT).
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/buffer_oauthConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)

install(FILES
  "${PROJECT_BINARY_DIR}/buffer_oauthConfig.cmake"
  "${PROJECT_BINARY_DIR}/buffer_oauthConfigVersion.cmake"
  DESTINATION "${BUFFER_OAUTH_CMAKE_DIR}")

# buffer_oauth.pc: prefix relative to the .pc file when the directories are
# relative, so the installed tree can be moved (or installed with --prefix).
if(IS_ABSOLUTE "${BUFFER_OAUTH_PKGCONFIG_DIR}")
  set(BUFFER_OAUTH_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _bo_up "/_prefix/${BUFFER_OAUTH_PKGCONFIG_DIR}" "/_prefix")
  string(REGEX REPLACE "/$" "" _bo_up "${_bo_up}")
  set(BUFFER_OAUTH_PC_PREFIX "\${pcfiledir}/${_bo_up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(BUFFER_OAUTH_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(BUFFER_OAUTH_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/buffer_oauth.pc.in"
               "${PROJECT_BINARY_DIR}/buffer_oauth.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/buffer_oauth.pc" DESTINATION "${BUFFER_OAUTH_PKGCONFIG_DIR}")
