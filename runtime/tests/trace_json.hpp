// trace_json.hpp — just enough JSON for trace_test: a parser into a small value tree, and the
// trace well-formedness check (check_trace) the tests run on real traces and on planted bad ones.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace goro::testing::json {

struct Value {
  enum class Type { null, boolean, number, string, array, object } type = Type::null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Value> array;
  std::map<std::string, Value> object;

  bool has(const std::string& key) const { return type == Type::object && object.count(key) != 0; }
  const Value& operator[](const std::string& key) const {
    auto it = object.find(key);
    if (type != Type::object || it == object.end()) throw std::runtime_error("json: no key '" + key + "'");
    return it->second;
  }
};

// parse() reads one JSON document; throws std::runtime_error naming the offset on bad input.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}
  Value document() {
    Value v = value();
    skip();
    if (at_ != text_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("json: " + what + " at offset " + std::to_string(at_));
  }
  void skip() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) ++at_;
  }
  bool eat(char c) {
    skip();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  std::string string_body() {
    expect('"');
    std::string out;
    while (at_ < text_.size() && text_[at_] != '"') {
      if (text_[at_] == '\\') {
        ++at_;
        if (at_ >= text_.size()) fail("bad escape");
        const char e = text_[at_];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;  // \uXXXX is not used by the tracer
      } else {
        out += text_[at_];
      }
      ++at_;
    }
    expect('"');
    return out;
  }
  Value value() {
    skip();
    if (at_ >= text_.size()) fail("unexpected end");
    Value v;
    const char c = text_[at_];
    if (c == '{') {
      ++at_;
      v.type = Value::Type::object;
      if (eat('}')) return v;
      do {
        skip();
        std::string key = string_body();
        expect(':');
        v.object[key] = value();
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      ++at_;
      v.type = Value::Type::array;
      if (eat(']')) return v;
      do {
        v.array.push_back(value());
      } while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.type = Value::Type::string;
      v.string = string_body();
    } else if (text_.substr(at_, 4) == "true" || text_.substr(at_, 5) == "false") {
      v.type = Value::Type::boolean;
      v.boolean = text_[at_] == 't';
      at_ += v.boolean ? 4 : 5;
    } else if (text_.substr(at_, 4) == "null") {
      at_ += 4;
    } else {
      const std::string rest(text_.substr(at_, 40));
      char* end = nullptr;
      v.type = Value::Type::number;
      v.number = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) fail("bad value");
      at_ += static_cast<std::size_t>(end - rest.c_str());
    }
    return v;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

inline Value parse(std::string_view text) { return Parser(text).document(); }

}  // namespace goro::testing::json
