// End-to-end tests of the token lifecycle through the buffer-oauth CLI:
// several `call` processes sharing one credentials file, against the Buffer
// stand-in with access tokens of 2 s (test suite "token_lifecycle").
#include "stand_in.hpp"
