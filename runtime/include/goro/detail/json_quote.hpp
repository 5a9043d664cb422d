// json_quote.hpp — one JSON string literal writer for the tools that emit machine-readable
// results (the model driver's --json, goro-stress --json): quotes, backslashes and control
// characters escaped, everything else (UTF-8 included) copied as is.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace goro::detail {

inline std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace goro::detail
