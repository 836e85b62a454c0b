// SPDX-License-Identifier: MIT
// Each public struct initialised with its first member only, as users write
// them: clean under -Wmissing-field-initializers -Werror (check_header.py).
#include <buffer_oauth.hpp>

namespace bo = buffer_oauth;

int main() {
  [[maybe_unused]] const bo::oauth_error provider_error{"invalid_grant"};
  [[maybe_unused]] const bo::error failure{bo::errc::token_error};
  [[maybe_unused]] const bo::http_header header{"Accept"};
  [[maybe_unused]] const bo::http_request request{"GET"};
  [[maybe_unused]] const bo::http_response response{200};
  [[maybe_unused]] const bo::provider profile{"local"};
  const bo::client app{"client-id"};
  [[maybe_unused]] const bo::authorize_params authorize{"state"};
  [[maybe_unused]] const bo::expected_redirect expected{"state"};
  [[maybe_unused]] const bo::token token{"access"};
  [[maybe_unused]] const bo::registration_params registration{{"http://127.0.0.1/callback"}};
  [[maybe_unused]] const bo::registered_client registered{app};
  [[maybe_unused]] const bo::attach_options attach{bo::token_placement::header};
  [[maybe_unused]] const bo::bearer_challenge challenge{"realm"};
  [[maybe_unused]] const bo::flow_refusal refusal{bo::flow_state::idle};
  [[maybe_unused]] const bo::flow_entropy entropy{"state bytes"};
  [[maybe_unused]] const bo::flow_options options{true};
  [[maybe_unused]] const bo::restore_options restore{std::chrono::minutes(5)};
  const bo::credentials credentials{"access"};
  [[maybe_unused]] const bo::session_options session{std::chrono::seconds(30)};
  [[maybe_unused]] const bo::refreshed refreshed{credentials};
  [[maybe_unused]] const bo::limits limits{1024};
}
