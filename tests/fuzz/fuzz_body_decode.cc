// (Content-Type, body) -> Params. The input's first line is the Content-Type, the rest the body.
// Checks the decoder's promises: no crash or overflow, and every key and value it accepts is
// valid UTF-8. The padded (in-place JSON) and unpadded paths must agree.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/utf8.h"
#include "http/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  if (nl == std::string_view::npos || nl > 256) {
    return 0;
  }
  std::string_view content_type = input.substr(0, nl);
  std::string_view body = input.substr(nl + 1);

  plaza::http::ParamLimits limits;
  limits.max_fields = 200;
  limits.max_depth = 8;
  auto check = [&](const plaza::http::Params& p) {
    p.ForEach([&](std::string_view k, std::string_view v) {
      if (!plaza::IsValidUtf8(k) || !plaza::IsValidUtf8(v)) {
        std::abort();
      }
      if (!p.Has(k) || !p.Get(k)) {
        std::abort();
      }
    });
    for (const auto& f : p.files()) {
      if (!plaza::IsValidUtf8(f.filename) || f.data.data() < body.data() ||
          f.data.data() + f.data.size() > body.data() + body.size()) {
        std::abort();  // file data must be a view inside the body
      }
    }
    if (p.size() > limits.max_fields) {
      std::abort();
    }
  };

  auto unpadded = plaza::http::DecodeBodyParams(content_type, body, limits);
  if (unpadded.ok()) {
    check(*unpadded);
  }
  std::string padded(body);
  padded.reserve(padded.size() + 64);
  auto in_place = plaza::http::DecodeBodyParams(content_type, padded, limits, true);
  if (in_place.ok() != unpadded.ok() || (in_place.ok() && in_place->size() != unpadded->size())) {
    std::abort();
  }
  auto form = plaza::http::DecodeFormParams(body, limits);
  if (form.ok()) {
    check(*form);
  }
  return 0;
}
