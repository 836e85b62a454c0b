#include "ops.hpp"

namespace bench {

char floor_buffer[1024];

namespace {
/// The loop baseline: the same indirect call, no work.
std::size_t empty(capture*) { return 0; }
}  // namespace

const std::vector<op>& all_ops() {
  static const std::vector<op> ops = [] {
    std::vector<op> v;
    v.push_back({"empty/loop/empty", &empty});
    add_token_ops(v);
    add_redirect_ops(v);
    add_attach_ops(v);
    add_session_ops(v);
    return v;
  }();
  return ops;
}

}  // namespace bench
