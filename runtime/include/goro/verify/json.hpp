// json.hpp — what the kit's programs (channel_properties.hpp, channel_stress.hpp) share to write
// their --json records: one string quoted as a JSON string.
#pragma once

#include <string>

namespace goro::verify {

// json_string() quotes s as a JSON string: quotes and backslashes escaped, newlines as \n,
// other control characters dropped (the records carry names and messages, not binary data).
inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(ch) >= 0x20) {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace goro::verify
