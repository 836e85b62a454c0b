# Tests, the CLI, fuzz replays and benchmarks have dependencies the library
# does not. One that is missing skips its group with a warning or, with
# BUFFER_OAUTH_REQUIRE_ALL=ON, is a configure error. Not set on the command
# line, BUFFER_OAUTH_REQUIRE_ALL is ON exactly when CI=true, read at every
# configure, so a tree first configured outside CI does not keep OFF.
if(NOT DEFINED BUFFER_OAUTH_REQUIRE_ALL)
  if(BUFFER_OAUTH_TOP_LEVEL AND "$ENV{CI}" STREQUAL "true")
    set(BUFFER_OAUTH_REQUIRE_ALL ON)
  else()
    set(BUFFER_OAUTH_REQUIRE_ALL OFF)
  endif()
endif()
message(STATUS "buffer_oauth: BUFFER_OAUTH_REQUIRE_ALL=${BUFFER_OAUTH_REQUIRE_ALL}")

# buffer_oauth_cannot_build(WHAT MISSING): WHAT is not built because MISSING
# was not found. SEND_ERROR, not FATAL_ERROR, so one configure lists every
# missing dependency; the caller skips WHAT either way.
function(buffer_oauth_cannot_build what missing)
  if(BUFFER_OAUTH_REQUIRE_ALL)
    message(SEND_ERROR "buffer_oauth: ${what} cannot be built, missing ${missing}. "
                       "Nothing may be skipped with BUFFER_OAUTH_REQUIRE_ALL=ON (the default when CI=true).")
  else()
    message(WARNING "buffer_oauth: ${what} skipped, missing ${missing}")
  endif()
endfunction()
