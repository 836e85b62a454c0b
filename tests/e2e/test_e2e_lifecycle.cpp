// End-to-end tests of the token lifecycle: many threads sharing one session
// through the thread-safe wrapper, against the Buffer stand-in with access
// tokens of 2 s (test suite "token_lifecycle").
#include "stand_in.hpp"
