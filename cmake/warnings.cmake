# Warnings for this project's own targets only; never forwarded to consumers.
function(buffer_oauth_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wmissing-field-initializers
                           -Werror)
  endif()
endfunction()
