// differential_concurrent_go_test.cpp — goro against Go on random programs of several goroutines.
//
// RapidCheck generates programs whose observable outcome does not depend on the schedule, by
// construction, and each is run twice — on goro (a random policy and worker count) and on Go
// (go/interpreter.go, one child process per program) — and the outcomes must be identical: the
// output, or "deadlock" (Go's "all goroutines are asleep"), or "panic: <Go's message>".
//
// Why the outcome is schedule-independent: the goroutines form a Kahn process network. Every
// channel has exactly one sending goroutine and one receiving goroutine; each goroutine is a
// fixed sequence of statements over its private running value acc; so every channel carries the
// same sequence of values, ending with the same close (if any), in every run, and each goroutine
// sees the same results at its receives. Bounded buffers and unbuffered rendezvous keep that
// property (Kahn networks with blocking writes are still determinate) — including how far each
// goroutine gets: whether the network completes, or deadlocks, is decided by the program alone.
// The one statement that picks among ready channels, `selectall` (receive from whichever is ready
// until all are closed), folds what it receives into a sum and a count, which do not depend on
// the order. Output is printed by main only, after a WaitGroup joined the others, in goroutine
// order. A panic site (close of a closed channel, send on a closed channel, close of nil) is
// placed in at most one goroutine, after the close it conflicts with in that same goroutine: if
// the goroutine gets that far, the program panics — in Go the process dies at once; goro's run()
// rethrows the exception after winding the rest down.
//
// Programs are generated as a list of channel specifications (capacity, sender, receiver, number
// of sends, close or not, how the receiver reads: recv statements, range, or one selectall over
// several channels) plus interleaving keys; build() turns that into per-goroutine statement lists,
// so every shrunk program is still a valid one, and a failure prints the minimal program as Go.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "go_interpreter.hpp"
#include "property_support.hpp"

namespace {

// ---- generated specification ------------------------------------------------------------------

enum class ReadMode { recvs, range, selectall };
enum class PanicKind { none, close_twice, send_after_close, close_nil };

struct ChannelSpec {
  int capacity = 0;   // 0..2
  int sender = 0;     // goroutine index (mod the goroutine count)
  int receiver = 1;   // likewise; moved off the sender
  int sends = 1;      // how many values the sender sends
  bool close = true;  // the sender closes after its last send
  ReadMode mode = ReadMode::recvs;
  int recvs = 1;      // for ReadMode::recvs: how many recv statements
};

struct Spec {
  int goroutines = 2;  // including main (goroutine 0)
  std::vector<ChannelSpec> chans;
  std::vector<int> keys;  // interleaving keys, used in turn by the statements
  PanicKind panic = PanicKind::none;
  int panic_chan = 0;
};

void showValue(const Spec& s, std::ostream& os);

// ---- the program: statements per goroutine ----------------------------------------------------

enum class Op { send, recv, range, selectall, close };

struct Stmt {
  Op op = Op::send;
  std::vector<int> chans;  // one channel; several for selectall
  int k = 0;               // send: the value is acc + k
};

struct Program {
  std::vector<int> specs;                // per channel: -1 nil, else its capacity
  std::vector<std::vector<Stmt>> bodies;  // per goroutine; 0 is main
};

// build() turns a specification into a program (see the file comment).
Program build(const Spec& spec) {
  Program p;
  const int n = std::max(spec.goroutines, 2);
  p.bodies.resize(static_cast<std::size_t>(n));
  struct Keyed {
    int key;
    int order;
    Stmt stmt;
  };
  std::vector<std::vector<Keyed>> keyed(static_cast<std::size_t>(n));
  std::size_t next_key = 0;
  int order = 0;
  auto key = [&] { return spec.keys.empty() ? 0 : spec.keys[next_key++ % spec.keys.size()]; };
  auto add = [&](int g, Stmt s) { keyed[static_cast<std::size_t>(g)].push_back({key(), order++, std::move(s)}); };
  auto add_last = [&](int g, Stmt s) { keyed[static_cast<std::size_t>(g)].push_back({1 << 30, order++, std::move(s)}); };

  std::map<int, std::vector<int>> selectall_of;  // receiver -> its selectall channels
  for (std::size_t i = 0; i < spec.chans.size(); ++i) {
    const ChannelSpec& c = spec.chans[i];
    const int ci = static_cast<int>(i);
    p.specs.push_back(std::clamp(c.capacity, 0, 2));
    const int sender = ((c.sender % n) + n) % n;
    int receiver = ((c.receiver % n) + n) % n;
    if (receiver == sender) receiver = (sender + 1) % n;
    // The sender's statements keep their relative order: sends first, then the close.
    const int first_key = key();
    for (int s = 0; s < std::clamp(c.sends, 0, 4); ++s) {
      keyed[static_cast<std::size_t>(sender)].push_back({first_key + s, order++, Stmt{Op::send, {ci}, 10 * (ci + 1) + s}});
    }
    if (c.close) keyed[static_cast<std::size_t>(sender)].push_back({first_key + 4, order++, Stmt{Op::close, {ci}, 0}});
    switch (c.mode) {
      case ReadMode::recvs:
        for (int r = 0; r < std::clamp(c.recvs, 0, 5); ++r) add(receiver, Stmt{Op::recv, {ci}, 0});
        break;
      case ReadMode::range: add(receiver, Stmt{Op::range, {ci}, 0}); break;
      case ReadMode::selectall: selectall_of[receiver].push_back(ci); break;
    }
  }
  for (auto& [receiver, chans] : selectall_of) add(receiver, Stmt{Op::selectall, chans, 0});

  // The panic site, in the goroutine that closes (or would close) the channel, after everything.
  if (spec.panic != PanicKind::none && !spec.chans.empty()) {
    const int ci = ((spec.panic_chan % static_cast<int>(spec.chans.size())) + static_cast<int>(spec.chans.size())) %
                   static_cast<int>(spec.chans.size());
    const ChannelSpec& c = spec.chans[static_cast<std::size_t>(ci)];
    const int sender = ((c.sender % n) + n) % n;
    switch (spec.panic) {
      case PanicKind::close_twice:
        if (!c.close) add_last(sender, Stmt{Op::close, {ci}, 0});
        add_last(sender, Stmt{Op::close, {ci}, 0});
        break;
      case PanicKind::send_after_close:
        if (!c.close) add_last(sender, Stmt{Op::close, {ci}, 0});
        add_last(sender, Stmt{Op::send, {ci}, 99});
        break;
      case PanicKind::close_nil:
        p.specs.push_back(-1);
        add_last(sender, Stmt{Op::close, {static_cast<int>(p.specs.size()) - 1}, 0});
        break;
      case PanicKind::none: break;
    }
  }
  for (std::size_t g = 0; g < keyed.size(); ++g) {
    std::stable_sort(keyed[g].begin(), keyed[g].end(),
                     [](const Keyed& a, const Keyed& b) { return a.key != b.key ? a.key < b.key : a.order < b.order; });
    for (Keyed& k : keyed[g]) p.bodies[g].push_back(std::move(k.stmt));
  }
  return p;
}

std::string statement_text(const Stmt& s) {
  auto chan = [&](std::size_t i) { return std::to_string(s.chans[i]); };
  switch (s.op) {
    case Op::send: return "send " + chan(0) + " " + std::to_string(s.k);
    case Op::recv: return "recv " + chan(0);
    case Op::range: return "range " + chan(0);
    case Op::close: return "close " + chan(0);
    case Op::selectall: {
      std::string text = "selectall";
      for (std::size_t i = 0; i < s.chans.size(); ++i) text += " " + chan(i);
      return text;
    }
  }
  return "?";
}

// program_text() is what the Go interpreter reads.
std::string program_text(const Program& p) {
  std::string text = "gprogram\nchans";
  for (int spec : p.specs) text += spec < 0 ? " nil" : " " + std::to_string(spec);
  text += "\n";
  for (std::size_t g = 0; g < p.bodies.size(); ++g) {
    text += "g " + std::to_string(g) + "\n";
    for (const Stmt& s : p.bodies[g]) text += statement_text(s) + "\n";
  }
  return text + "end\n";
}

// go_source() prints the program as a standalone Go program, to paste and run.
std::string go_source(const Program& p) {
  std::ostringstream os;
  os << "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n\t\"sync\"\n)\n\n"
        "func mix(acc, v int) int { return (acc*31 + v) % 1000003 }\n\nfunc main() {\n";
  for (std::size_t i = 0; i < p.specs.size(); ++i) {
    if (p.specs[i] < 0) {
      os << "\tvar c" << i << " chan int\n";
    } else {
      os << "\tc" << i << " := make(chan int, " << p.specs[i] << ")\n";
    }
  }
  const std::size_t n = p.bodies.size();
  os << "\tlogs := make([][]string, " << n << ")\n\taccs := make([]int, " << n << ")\n\tvar wg sync.WaitGroup\n";
  for (std::size_t i = 0; i < p.specs.size(); ++i) os << "\t_ = c" << i << "\n";
  auto body = [&](std::size_t g, const std::string& indent) {
    os << indent << "acc := 0\n";
    for (const Stmt& s : p.bodies[g]) {
      const std::string c = s.chans.empty() ? "" : "c" + std::to_string(s.chans[0]);
      const std::string log = "logs[" + std::to_string(g) + "] = append(logs[" + std::to_string(g) + "], ";
      switch (s.op) {
        case Op::send: os << indent << c << " <- acc + " << s.k << "\n"; break;
        case Op::close: os << indent << "close(" << c << ")\n"; break;
        case Op::recv:
          os << indent << "{\n" << indent << "\tv, ok := <-" << c << "\n" << indent << "\tacc = mix(acc, v)\n"
             << indent << "\t" << log << "fmt.Sprintf(\"recv " << s.chans[0] << ": %d %t\", v, ok))\n" << indent << "}\n";
          break;
        case Op::range:
          os << indent << "{\n" << indent << "\tvar got []string\n" << indent << "\tfor v := range " << c << " {\n"
             << indent << "\t\tacc = mix(acc, v)\n" << indent << "\t\tgot = append(got, fmt.Sprint(v))\n" << indent << "\t}\n"
             << indent << "\t" << log << "fmt.Sprintf(\"range " << s.chans[0] << ": [%s]\", strings.Join(got, \" \")))\n"
             << indent << "}\n";
          break;
        case Op::selectall: {
          os << indent << "{\n" << indent << "\tsum, count := 0, 0\n";
          for (std::size_t i = 0; i < s.chans.size(); ++i) os << indent << "\ts" << i << " := c" << s.chans[i] << "\n";
          os << indent << "\tfor s0 != nil";
          for (std::size_t i = 1; i < s.chans.size(); ++i) os << " || s" << i << " != nil";
          os << " {\n" << indent << "\t\tselect {\n";
          for (std::size_t i = 0; i < s.chans.size(); ++i) {
            os << indent << "\t\tcase v, ok := <-s" << i << ":\n" << indent << "\t\t\tif !ok {\n" << indent << "\t\t\t\ts" << i
               << " = nil\n" << indent << "\t\t\t} else {\n" << indent << "\t\t\t\tsum += v\n" << indent << "\t\t\t\tcount++\n"
               << indent << "\t\t\t}\n";
          }
          os << indent << "\t\t}\n" << indent << "\t}\n" << indent << "\tacc += sum\n" << indent << "\t" << log
             << "fmt.Sprintf(\"selectall: %d values, sum %d\", count, sum))\n" << indent << "}\n";
          break;
        }
      }
    }
    os << indent << "accs[" << g << "] = acc\n";
  };
  for (std::size_t g = 1; g < n; ++g) {
    os << "\twg.Add(1)\n\tgo func() {\n";
    body(g, "\t\t");
    os << "\t\twg.Done() // not deferred: a panic must kill the program before main prints\n\t}()\n";
  }
  os << "\tfunc() {\n";
  body(0, "\t\t");
  os << "\t}()\n\twg.Wait()\n\tfor g := range logs {\n"
        "\t\tfmt.Printf(\"g%d: %s\\n\", g, strings.Join(append(logs[g], fmt.Sprintf(\"acc=%d\", accs[g])), \"; \"))\n\t}\n}\n";
  return os.str();
}

void showValue(const Spec& s, std::ostream& os) { os << "\n" << program_text(build(s)); }

// ---- the goro interpretation ------------------------------------------------------------------

int mix(int acc, int v) { return static_cast<int>((static_cast<long long>(acc) * 31 + v) % 1000003); }

std::string run_on_goro(const Program& p, goro::Runtime& runtime) {
  // Everything the goroutines touch lives out here, not on main's stack: when one goroutine
  // panics, main may unwind (goro::cancelled) while the others are still being wound down.
  const std::size_t n = p.bodies.size();
  std::vector<std::vector<std::string>> logs(n);
  std::vector<int> accs(n, 0);
  std::vector<goro::Chan<int>> chans;
  for (int spec : p.specs) chans.push_back(spec < 0 ? goro::Chan<int>{} : goro::make_chan<int>(static_cast<std::size_t>(spec)));
  goro::WaitGroup wg;
  auto body = [&](std::size_t g) {
    int acc = 0;
    for (const Stmt& s : p.bodies[g]) {
      const goro::Chan<int>& c = chans[static_cast<std::size_t>(s.chans[0])];
      const std::string name = std::to_string(s.chans[0]);
      switch (s.op) {
        case Op::send: c.send(acc + s.k); break;
        case Op::close: c.close(); break;
        case Op::recv: {
          const std::optional<int> v = c.recv();
          acc = mix(acc, v.value_or(0));
          logs[g].push_back("recv " + name + ": " + (v ? std::to_string(*v) + " true" : "0 false"));
          break;
        }
        case Op::range: {
          std::string got;
          for (int v : c) {
            acc = mix(acc, v);
            got += (got.empty() ? "" : " ") + std::to_string(v);
          }
          logs[g].push_back("range " + name + ": [" + got + "]");
          break;
        }
        case Op::selectall: {
          std::vector<goro::Chan<int>> open;
          for (int ci : s.chans) open.push_back(chans[static_cast<std::size_t>(ci)]);
          int sum = 0, count = 0;
          for (std::size_t left = open.size(); left > 0;) {
            auto [index, v] = goro::select_recv_any<int>(std::span<const goro::Chan<int>>(open));
            if (!v) {
              open[index] = goro::Chan<int>{};  // closed: a nil channel is never chosen again
              --left;
              continue;
            }
            sum += *v;
            ++count;
          }
          acc += sum;
          logs[g].push_back("selectall: " + std::to_string(count) + " values, sum " + std::to_string(sum));
          break;
        }
      }
    }
    accs[g] = acc;
  };
  try {
    runtime.run([&] {
      for (std::size_t g = 1; g < n; ++g) {
        wg.add(1);
        goro::go([&, g] {
          body(g);
          wg.done();
        });
      }
      body(0);
      wg.wait();
    });
  } catch (const goro::deadlock_error&) {
    return "deadlock\n---end---\n";
  } catch (const goro::closed_channel_error& e) {
    return std::string("panic: ") + (std::string(e.what()).rfind("goro: ", 0) == 0 ? e.what() + 6 : e.what()) + "\n---end---\n";
  } catch (const goro::nil_channel_error& e) {
    return std::string("panic: ") + (std::string(e.what()).rfind("goro: ", 0) == 0 ? e.what() + 6 : e.what()) + "\n---end---\n";
  }
  std::string out;
  for (std::size_t g = 0; g < n; ++g) {
    out += "g" + std::to_string(g) + ": ";
    for (const std::string& entry : logs[g]) out += entry + "; ";
    out += "acc=" + std::to_string(accs[g]) + "\n";
  }
  return out + "---end---\n";
}

// ---- generators -------------------------------------------------------------------------------

rc::Gen<ChannelSpec> gen_channel() {
  return rc::gen::exec([] {
    ChannelSpec c;
    c.capacity = *rc::gen::inRange(0, 3);
    c.sender = *rc::gen::inRange(0, 5);
    c.receiver = *rc::gen::inRange(0, 5);
    c.sends = *rc::gen::inRange(0, 5);
    c.close = *rc::gen::weightedOneOf<bool>({{4, rc::gen::just(true)}, {1, rc::gen::just(false)}});
    c.mode = *rc::gen::weightedElement<ReadMode>({{4, ReadMode::recvs}, {2, ReadMode::range}, {2, ReadMode::selectall}});
    // Mostly as many receives as sends (+1 sees the close when there is one), sometimes more.
    c.recvs = std::min(5, c.sends + *rc::gen::weightedElement<int>({{3, 0}, {3, c.close ? 1 : 0}, {1, 1}, {1, -1}}));
    c.recvs = std::max(0, c.recvs);
    return c;
  });
}

rc::Gen<Spec> gen_spec() {
  return rc::gen::exec([] {
    Spec s;
    s.goroutines = *rc::gen::inRange(2, 6);
    s.chans = *rc::gen::container<std::vector<ChannelSpec>>(*rc::gen::inRange<std::size_t>(1, 6), gen_channel());
    s.keys = *rc::gen::container<std::vector<int>>(*rc::gen::inRange<std::size_t>(1, 12), rc::gen::inRange(0, 8));
    s.panic = *rc::gen::weightedElement<PanicKind>(
        {{12, PanicKind::none}, {1, PanicKind::close_twice}, {1, PanicKind::send_after_close}, {1, PanicKind::close_nil}});
    s.panic_chan = *rc::gen::inRange(0, 6);
    return s;
  });
}

}  // namespace

TEST(DifferentialGoConcurrent, GoroMatchesGoOnConcurrentChannelPrograms) {
  goro::property::GoInterpreter& go = goro::property::GoInterpreter::instance();
  if (!go.unavailable().empty()) GTEST_SKIP() << "differential tests against Go skipped: " << go.unavailable();
  int outcomes[3] = {0, 0, 0};  // completed, deadlocked, panicked
  rc::detail::checkGTest([&] {
    const Spec spec = *gen_spec();
    const auto config = *goro::property::gen_config();
    const Program program = build(spec);
    const std::string goro_output = run_on_goro(program, goro::property::runtime_for(config));
    const std::string go_output = go.run(program_text(program));
    RC_CLASSIFY(goro_output.rfind("deadlock", 0) == 0, "deadlock");
    RC_CLASSIFY(goro_output.rfind("panic", 0) == 0, "panic");
    ++outcomes[goro_output.rfind("deadlock", 0) == 0 ? 1 : goro_output.rfind("panic", 0) == 0 ? 2 : 0];
    if (goro_output != go_output) {
      // Printed at once as well: RapidCheck re-runs a counterexample to describe it, and a
      // disagreement that depends on the interleaving may not recur in that re-run.
      std::fprintf(stderr, "goro (%s) and Go disagree on\n%s--- goro:\n%s--- Go:\n%s", goro::property::to_string(config).c_str(),
                   program_text(program).c_str(), goro_output.c_str(), go_output.c_str());
      RC_FAIL("goro (" + goro::property::to_string(config) + ") and Go disagree.\n--- goro:\n" + goro_output +
              "--- Go:\n" + go_output + "--- the program in Go:\n" + go_source(program));
    }
  });
  // Machine-readable too: --gtest_output=json:FILE carries these for the verification page.
  RecordProperty("programs_completed", outcomes[0]);
  RecordProperty("programs_deadlocked", outcomes[1]);
  RecordProperty("programs_panicked", outcomes[2]);
  RecordProperty("agreed_with_go", HasFailure() ? "no" : "yes");
  if (!HasFailure()) {
    std::printf("differential (concurrent): %d programs completed, %d deadlocked, %d panicked; all agreed with Go\n",
                outcomes[0], outcomes[1], outcomes[2]);
  }
}
