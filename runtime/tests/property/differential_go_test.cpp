// differential_go_test.cpp — goro against Go itself, on random deterministic channel programs.
//
// RapidCheck generates single-goroutine programs over a few channels (nil, unbuffered,
// buffered): sends and receives that cannot block, len/cap, close, non-blocking selects, range
// over a closed channel, and Go's panic rows (send on closed, close of closed, close of nil).
// Each program is interpreted twice — in-process on goro, and by go/interpreter.go on real Go
// channels — and the outputs must be identical, line for line.
//
// The Go interpreter is built once per test run (`go build`, standard library only, no module
// downloads: GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local) and serves every program over a
// pipe, so the ~1 s compile is paid once. Without a `go` on PATH the test is skipped with a
// message. A failing program is also printed as a standalone Go program, to run by hand.
//
// Determinism is by construction: `normalize()` replays the raw generated statements against a
// model and turns a statement that would block (a send on a full or nil channel, a receive on an
// empty one) into its non-blocking form, and drops select cases until at most one is ready. Since
// normalisation runs after shrinking too, every shrunk program is still a valid one.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "go_interpreter.hpp"
#include "property_support.hpp"

namespace {

// ---- programs ---------------------------------------------------------------------------------

enum class StmtKind { send, recv, try_send, try_recv, len, cap, close, range, select };

struct SelectCaseSpec {
  bool is_send = false;
  int chan = 0;
  int value = 0;
};

struct Stmt {
  StmtKind kind = StmtKind::len;
  int chan = 0;
  int value = 0;
  bool with_default = true;             // select
  std::vector<SelectCaseSpec> cases;    // select
};

struct RawProgram {
  std::vector<int> specs;  // per channel: -1 nil, else capacity
  std::vector<Stmt> stmts;
};

struct ChanModel {
  bool nil = false;
  std::size_t capacity = 0;
  std::deque<int> buffer;
  bool closed = false;
  bool recv_ready() const { return !nil && (!buffer.empty() || closed); }
  bool send_ready() const { return !nil && (closed || buffer.size() < capacity); }
};

// normalize() makes every statement deterministic and non-blocking (see the file comment).
RawProgram normalize(const RawProgram& raw) {
  RawProgram p;
  p.specs = raw.specs;
  std::vector<ChanModel> m(raw.specs.size());
  for (std::size_t i = 0; i < m.size(); ++i) {
    m[i].nil = raw.specs[i] < 0;
    m[i].capacity = raw.specs[i] < 0 ? 0 : static_cast<std::size_t>(raw.specs[i]);
  }
  auto send_effect = [&](ChanModel& c, int v) {
    if (!c.closed && c.send_ready()) c.buffer.push_back(v);
  };
  auto recv_effect = [&](ChanModel& c) {
    if (!c.buffer.empty()) c.buffer.pop_front();
  };
  for (Stmt s : raw.stmts) {
    s.chan %= static_cast<int>(m.size());
    ChanModel& c = m[static_cast<std::size_t>(s.chan)];
    switch (s.kind) {
      case StmtKind::send:
        if (!c.send_ready()) s.kind = StmtKind::try_send;
        send_effect(c, s.value);
        break;
      case StmtKind::try_send: send_effect(c, s.value); break;
      case StmtKind::recv:
        if (!c.recv_ready()) s.kind = StmtKind::try_recv;
        recv_effect(c);
        break;
      case StmtKind::try_recv: recv_effect(c); break;
      case StmtKind::len:
      case StmtKind::cap: break;
      case StmtKind::close:
        if (!c.nil) c.closed = true;
        break;
      case StmtKind::range:
        if (c.closed) {
          c.buffer.clear();
        } else {
          s.kind = StmtKind::len;  // ranging over an open channel would block
        }
        break;
      case StmtKind::select: {
        std::vector<SelectCaseSpec> kept;
        bool ready_seen = false;
        for (SelectCaseSpec k : s.cases) {
          k.chan %= static_cast<int>(m.size());
          const ChanModel& target = m[static_cast<std::size_t>(k.chan)];
          const bool ready = k.is_send ? target.send_ready() : target.recv_ready();
          if (ready && ready_seen) continue;  // at most one ready case: Go picks at random
          ready_seen = ready_seen || ready;
          kept.push_back(k);
        }
        s.cases = kept;
        if (!ready_seen) s.with_default = true;  // would block for ever otherwise
        for (const SelectCaseSpec& k : s.cases) {  // the one ready case (if any) completes
          ChanModel& target = m[static_cast<std::size_t>(k.chan)];
          if (k.is_send ? target.send_ready() : target.recv_ready()) {
            if (k.is_send) {
              send_effect(target, k.value);
            } else {
              recv_effect(target);
            }
            break;
          }
        }
        break;
      }
    }
    p.stmts.push_back(s);
  }
  return p;
}

std::string statement_text(const Stmt& s) {
  const std::string c = std::to_string(s.chan);
  switch (s.kind) {
    case StmtKind::send: return "send " + c + " " + std::to_string(s.value);
    case StmtKind::recv: return "recv " + c;
    case StmtKind::try_send: return "trysend " + c + " " + std::to_string(s.value);
    case StmtKind::try_recv: return "tryrecv " + c;
    case StmtKind::len: return "len " + c;
    case StmtKind::cap: return "cap " + c;
    case StmtKind::close: return "close " + c;
    case StmtKind::range: return "range " + c;
    case StmtKind::select: {
      std::string text = std::string("select ") + (s.with_default ? "1" : "0");
      for (const SelectCaseSpec& k : s.cases) {
        text += k.is_send ? " s:" + std::to_string(k.chan) + ":" + std::to_string(k.value) : " r:" + std::to_string(k.chan);
      }
      return text;
    }
  }
  return "?";
}

void showValue(const Stmt& s, std::ostream& os) { os << statement_text(s); }

// program_text() is what the Go interpreter reads.
std::string program_text(const RawProgram& p) {
  std::string text = "program\nchans";
  for (int spec : p.specs) text += spec < 0 ? " nil" : " " + std::to_string(spec);
  text += "\n";
  for (const Stmt& s : p.stmts) text += statement_text(s) + "\n";
  return text + "end\n";
}

// go_source() prints the program as a standalone Go program (for a failure report).
std::string go_source(const RawProgram& p) {
  std::ostringstream os;
  os << "package main\n\nimport \"fmt\"\n\nfunc try(what string, f func() string) {\n"
        "\tdefer func() {\n\t\tif r := recover(); r != nil {\n\t\t\tfmt.Printf(\"%s => panic: %v\\n\", what, r)\n\t\t}\n\t}()\n"
        "\tfmt.Printf(\"%s => %s\\n\", what, f())\n}\n\nfunc main() {\n";
  for (std::size_t i = 0; i < p.specs.size(); ++i) {
    if (p.specs[i] < 0) {
      os << "\tvar c" << i << " chan int\n";
    } else {
      os << "\tc" << i << " := make(chan int, " << p.specs[i] << ")\n";
    }
  }
  for (std::size_t i = 0; i < p.specs.size(); ++i) os << "\t_ = c" << i << "\n";
  for (const Stmt& s : p.stmts) {
    const std::string c = "c" + std::to_string(s.chan);
    os << "\ttry(\"" << statement_text(s) << "\", func() string {\n\t\t";
    switch (s.kind) {
      case StmtKind::send: os << c << " <- " << s.value << "\n\t\treturn \"ok\""; break;
      case StmtKind::recv: os << "v, ok := <-" << c << "\n\t\treturn fmt.Sprint(v, \" \", ok)"; break;
      case StmtKind::try_send:
        os << "select {\n\t\tcase " << c << " <- " << s.value << ":\n\t\t\treturn \"sent\"\n\t\tdefault:\n\t\t\treturn \"default\"\n\t\t}";
        break;
      case StmtKind::try_recv:
        os << "select {\n\t\tcase v, ok := <-" << c << ":\n\t\t\treturn fmt.Sprint(v, \" \", ok)\n\t\tdefault:\n\t\t\treturn \"default\"\n\t\t}";
        break;
      case StmtKind::len: os << "return fmt.Sprint(len(" << c << "))"; break;
      case StmtKind::cap: os << "return fmt.Sprint(cap(" << c << "))"; break;
      case StmtKind::close: os << "close(" << c << ")\n\t\treturn \"ok\""; break;
      case StmtKind::range:
        os << "s := \"[\"\n\t\tfor v := range " << c << " {\n\t\t\tif len(s) > 1 {\n\t\t\t\ts += \" \"\n\t\t\t}\n\t\t\ts += fmt.Sprint(v)\n\t\t}\n\t\treturn s + \"]\"";
        break;
      case StmtKind::select:
        os << "select {\n";
        for (std::size_t k = 0; k < s.cases.size(); ++k) {
          const std::string kc = "c" + std::to_string(s.cases[k].chan);
          if (s.cases[k].is_send) {
            os << "\t\tcase " << kc << " <- " << s.cases[k].value << ":\n\t\t\treturn \"case " << k << "\"\n";
          } else {
            os << "\t\tcase v, ok := <-" << kc << ":\n\t\t\treturn fmt.Sprint(\"case " << k << ": \", v, \" \", ok)\n";
          }
        }
        if (s.with_default) os << "\t\tdefault:\n\t\t\treturn \"default\"\n";
        os << "\t\t}";
        break;
    }
    os << "\n\t})\n";
  }
  os << "}\n";
  return os.str();
}

// ---- the goro interpretation ------------------------------------------------------------------

std::string panic_text(const std::exception& e) {
  std::string what = e.what();
  if (what.rfind("goro: ", 0) == 0) what = what.substr(6);
  return "panic: " + what;
}

std::string show_recv(std::optional<int> v) { return v ? std::to_string(*v) + " true" : "0 false"; }

std::string run_statement(std::vector<goro::Chan<int>>& chans, const Stmt& s) {
  goro::Chan<int>& c = chans[static_cast<std::size_t>(s.chan)];
  try {
    switch (s.kind) {
      case StmtKind::send: c.send(s.value); return "ok";
      case StmtKind::recv: return show_recv(c.recv());
      case StmtKind::try_send: {
        int v = s.value;
        return c.try_send(v) ? "sent" : "default";
      }
      case StmtKind::try_recv: {
        // Go's `select { case v, ok := <-c: ...; default: }`: try_recv(out)'s status tells the
        // `ok == false` row (closed and drained) from the default one (nothing ready).
        int v = 0;
        switch (c.try_recv(v)) {
          case goro::RecvStatus::received: return show_recv(v);
          case goro::RecvStatus::closed: return show_recv(std::nullopt);
          case goro::RecvStatus::empty: return "default";
        }
        return "?";
      }
      case StmtKind::len: return std::to_string(c.len());
      case StmtKind::cap: return std::to_string(c.cap());
      case StmtKind::close: c.close(); return "ok";
      case StmtKind::range: {
        std::string got = "[";
        for (int v : c) got += (got.size() > 1 ? " " : "") + std::to_string(v);
        return got + "]";
      }
      case StmtKind::select: {
        // select's arity is static: three positions, each a receive and a send case of which
        // only one names a channel (the other is nil, never ready), plus an optional default.
        goro::Chan<int> recv_side[3], send_side[3];
        int values[3] = {0, 0, 0};
        for (std::size_t k = 0; k < s.cases.size(); ++k) {
          const SelectCaseSpec& spec = s.cases[k];
          (spec.is_send ? send_side[k] : recv_side[k]) = chans[static_cast<std::size_t>(spec.chan)];
          values[k] = spec.value;
        }
        std::optional<int> received;
        auto on_recv = [&](std::optional<int> v) { received = v; };
        std::size_t fired;
        if (s.with_default) {
          fired = goro::select(goro::case_recv(recv_side[0], on_recv), goro::case_send(send_side[0], values[0]),
                               goro::case_recv(recv_side[1], on_recv), goro::case_send(send_side[1], values[1]),
                               goro::case_recv(recv_side[2], on_recv), goro::case_send(send_side[2], values[2]),
                               goro::case_default());
        } else {
          fired = goro::select(goro::case_recv(recv_side[0], on_recv), goro::case_send(send_side[0], values[0]),
                               goro::case_recv(recv_side[1], on_recv), goro::case_send(send_side[1], values[1]),
                               goro::case_recv(recv_side[2], on_recv), goro::case_send(send_side[2], values[2]));
        }
        if (fired == 6) return "default";
        const std::string k = "case " + std::to_string(fired / 2);
        return fired % 2 == 1 ? k : k + ": " + show_recv(received);
      }
    }
  } catch (const goro::closed_channel_error& e) {
    return panic_text(e);
  } catch (const goro::nil_channel_error& e) {
    return panic_text(e);
  }
  return "?";
}

std::string run_on_goro(const RawProgram& p) {
  std::string out;
  goro::property::runtime_for({goro::Policy::go, 1}).run([&] {
    std::vector<goro::Chan<int>> chans;
    for (int spec : p.specs) chans.push_back(spec < 0 ? goro::Chan<int>{} : goro::make_chan<int>(static_cast<std::size_t>(spec)));
    for (const Stmt& s : p.stmts) out += statement_text(s) + " => " + run_statement(chans, s) + "\n";
  });
  return out + "---end---\n";
}

rc::Gen<Stmt> gen_stmt() {
  return rc::gen::exec([] {
    Stmt s;
    s.kind = *rc::gen::element(StmtKind::send, StmtKind::send, StmtKind::send, StmtKind::recv, StmtKind::recv,
                               StmtKind::try_send, StmtKind::try_recv, StmtKind::len, StmtKind::cap, StmtKind::close,
                               StmtKind::range, StmtKind::select, StmtKind::select);
    s.chan = *rc::gen::inRange(0, 3);
    s.value = *rc::gen::inRange(1, 100);
    if (s.kind == StmtKind::select) {
      s.with_default = *rc::gen::arbitrary<bool>();
      const auto n = *rc::gen::inRange(1, 4);
      for (int k = 0; k < n; ++k) {
        s.cases.push_back({*rc::gen::arbitrary<bool>(), *rc::gen::inRange(0, 3), *rc::gen::inRange(100, 200)});
      }
    }
    return s;
  });
}

}  // namespace

TEST(DifferentialGo, GoroMatchesGoOnRandomChannelPrograms) {
  goro::property::GoInterpreter& go = goro::property::GoInterpreter::instance();
  if (!go.unavailable().empty()) GTEST_SKIP() << "differential tests against Go skipped: " << go.unavailable();
  int programs = 0;
  rc::detail::checkGTest([&go, &programs] {
    ++programs;
    RawProgram raw;
    raw.specs = *rc::gen::container<std::vector<int>>(*rc::gen::inRange<std::size_t>(1, 4),
                                                     rc::gen::weightedOneOf<int>({{1, rc::gen::just(-1)}, {5, rc::gen::inRange(0, 4)}}));
    raw.stmts = *rc::gen::container<std::vector<Stmt>>(gen_stmt());
    const RawProgram program = normalize(raw);
    RC_LOG() << "normalised program:\n" << program_text(program);
    const std::string goro_output = run_on_goro(program);
    const std::string go_output = go.run(program_text(program));
    if (goro_output != go_output) {
      RC_FAIL("goro and Go disagree.\n--- goro:\n" + goro_output + "--- Go:\n" + go_output +
              "--- the program in Go:\n" + go_source(program));
    }
  });
  // Machine-readable: --gtest_output=json:FILE carries these for the verification page.
  RecordProperty("programs_run", programs);
  RecordProperty("agreed_with_go", HasFailure() ? "no" : "yes");
}
