// SPDX-License-Identifier: MIT
// local_provider.hpp: what lets the tests run the README's examples. A real
// app calls provider::buffer() and sends with default curl::options.
//
// buffer_or_local(https) is provider::buffer(), unless BUFFER_OAUTH_LOCAL
// names the https origin of a local stand-in for auth.buffer.com and
// api.buffer.com (the same routes: /auth, /token, /token/revocation, /reg,
// and the GraphQL API at /graphql); `https` then also trusts the CA file
// BUFFER_OAUTH_LOCAL_CA.
#ifndef BUFFER_OAUTH_README_LOCAL_PROVIDER_HPP
#define BUFFER_OAUTH_README_LOCAL_PROVIDER_HPP

#include <buffer_oauth.hpp>
#include <buffer_oauth_curl.hpp>

#include <cstdlib>
#include <string>

inline buffer_oauth::provider buffer_or_local(buffer_oauth::curl::options& https) {
  buffer_oauth::provider buffer = buffer_oauth::provider::buffer();
  const char* local = std::getenv("BUFFER_OAUTH_LOCAL");
  if (local == nullptr) return buffer;
  const std::string origin = local;
  buffer.issuer = origin;
  buffer.authorize_endpoint = origin + "/auth";
  buffer.token_endpoint = origin + "/token";
  buffer.revocation_endpoint = origin + "/token/revocation";
  buffer.registration_endpoint = origin + "/reg";
  buffer.api_base = origin + "/graphql";
  const char* ca_file = std::getenv("BUFFER_OAUTH_LOCAL_CA");
  https.ca_file = ca_file != nullptr ? ca_file : "";
  return buffer;
}

#endif
