// order_mutant.hpp — a memory-order mutant chosen at run time, by the Relacy policy: what lets
// `scripts/suite mutants --models` (suite/run/ordermutants.py) build each model once and run
// every memory-order mutant of goro/algo/ as one process of the unchanged model binary.
//
// Every atomic operation and fence of the Relacy policy (goro/verify/relacy/sync.hpp) receives the caller's
// std::source_location and the memory orders the algorithm spelled. When GORO_ORDER_MUTANT names
// that call, the policy hands Relacy the mutant's order instead of the shipped one — exactly what
// the textual mutant (the order spelled weaker in a scratch copy of the header) would hand it,
// because Relacy takes memory orders as run-time values. `ordermutants --cross-check` runs
// mutants both ways and compares the verdicts.
//
//     GORO_ORDER_MUTANT=goro/algo/chan.hpp:123:31:1:relaxed
//         the call whose '(' is at line 123, column 31 of a file whose path ends in
//         goro/algo/chan.hpp: its 1st memory-order argument becomes relaxed
//     ...:2:relaxed       the 2nd (a compare-exchange's failure order)
//     ...:1:drop          the fence is not executed
//     column 0            any call on that line (the generator uses it when the line has one)
//     several edits       joined by ';' (a CAS success order weakened below its failure order
//                         takes the failure order down with it)
//
// GCC's std::source_location::current(), as a defaulted argument, names the column of the
// call's '('. A site the generator got wrong (or that the algorithm reaches through a helper, so
// that the location is the helper's) would silently survive; so every edit counts the times it
// was applied, and the model driver prints the count ("order_mutant: ... applied N times"): a
// mutant applied 0 times is reported as not reached, never as a survivor.
//
// Not in the shipped runtime: the native policy (goro/sync/native.hpp) passes orders straight
// to std::atomic. No allocation here: while a simulation runs, Relacy's operator new serves the
// execution's own heap, so the parsed edits live in a fixed array, parsed before the first use.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <source_location>
#include <string_view>

namespace goro::models::order_mutant {

// Edit is one memory-order argument of one call, and what it becomes.
struct Edit {
  char file[160] = {};         // a path suffix, matched at a '/' boundary
  unsigned line = 0;
  unsigned column = 0;         // 0: any column
  unsigned argument = 1;       // 1: the (success) order, 2: a compare-exchange's failure order
  bool drop = false;           // a fence that is not executed
  std::memory_order order = std::memory_order_seq_cst;
  unsigned long applied = 0;   // how many operations ran with it (Relacy threads share one OS thread)
};

// Active is the parsed GORO_ORDER_MUTANT.
struct Active {
  static constexpr int kMaxEdits = 4;
  Edit edits[kMaxEdits];
  int count = 0;
  const char* text = nullptr;
};

[[noreturn]] inline void malformed(const char* value, const char* why) {
  std::fprintf(stderr,
               "GORO_ORDER_MUTANT=%s: %s (want FILE:LINE:COLUMN:ARGUMENT:ORDER[;...], ORDER one of "
               "relaxed, acquire, release, acq_rel, seq_cst, drop)\n",
               value, why);
  std::exit(2);
}

// parse() reads text such as "goro/algo/chan.hpp:123:0:1:relaxed;goro/algo/chan.hpp:123:0:2:relaxed".
inline Active parse(const char* text) {
  Active active;
  active.text = text;
  if (text == nullptr || *text == '\0') return active;
  static constexpr struct {
    const char* name;
    std::memory_order order;
  } kOrders[] = {{"relaxed", std::memory_order_relaxed}, {"acquire", std::memory_order_acquire},
                 {"release", std::memory_order_release}, {"acq_rel", std::memory_order_acq_rel},
                 {"seq_cst", std::memory_order_seq_cst}};
  const char* p = text;
  while (*p != '\0') {
    if (active.count == Active::kMaxEdits) malformed(text, "too many edits");
    Edit& edit = active.edits[active.count];
    const std::size_t file_length = std::strcspn(p, ":;");
    if (file_length == 0 || file_length >= sizeof edit.file || p[file_length] != ':') malformed(text, "expected FILE:");
    std::memcpy(edit.file, p, file_length);
    p += file_length + 1;
    unsigned* numbers[] = {&edit.line, &edit.column, &edit.argument};
    for (unsigned* number : numbers) {
      char* end = nullptr;
      const unsigned long value = std::strtoul(p, &end, 10);
      if (end == p || *end != ':') malformed(text, "expected LINE:COLUMN:ARGUMENT:");
      *number = static_cast<unsigned>(value);
      p = end + 1;
    }
    if (edit.line == 0 || edit.argument < 1 || edit.argument > 2) malformed(text, "line from 1, argument 1 or 2");
    const std::size_t length = std::strcspn(p, ";");
    bool known = false;
    if (length == 4 && std::strncmp(p, "drop", 4) == 0) edit.drop = known = true;
    for (const auto& o : kOrders) {
      if (!known && std::strlen(o.name) == length && std::strncmp(p, o.name, length) == 0) {
        edit.order = o.order;
        known = true;
      }
    }
    if (!known) malformed(text, "unknown order");
    ++active.count;
    p += length;
    if (*p == ';') ++p;
  }
  return active;
}

// active() is this process's mutant (parsed on first use; the model driver makes that use
// before any simulation starts).
inline Active& active() {
  static Active parsed = parse(std::getenv("GORO_ORDER_MUTANT"));
  return parsed;
}

// matches() — does edit name the call made at l?
inline bool matches(const Edit& edit, const std::source_location& l) {
  if (edit.line != l.line() || (edit.column != 0 && edit.column != l.column())) return false;
  const std::string_view path = l.file_name(), suffix = edit.file;
  if (path.size() < suffix.size() || path.substr(path.size() - suffix.size()) != suffix) return false;
  return path.size() == suffix.size() || path[path.size() - suffix.size() - 1] == '/';
}

// order() is the order the call at l runs its `argument`-th memory order with: the mutant's if
// it names that argument of that call, else the shipped one.
inline std::memory_order order(std::memory_order shipped, const std::source_location& l, unsigned argument = 1) {
  Active& a = active();
  for (int i = 0; i < a.count; ++i) {
    Edit& e = a.edits[i];
    if (!e.drop && e.argument == argument && matches(e, l)) {
      ++e.applied;
      return e.order;
    }
  }
  return shipped;
}

// dropped() — does the mutant remove the fence at l?
inline bool dropped(const std::source_location& l) {
  Active& a = active();
  for (int i = 0; i < a.count; ++i) {
    Edit& e = a.edits[i];
    if (e.drop && matches(e, l)) {
      ++e.applied;
      return true;
    }
  }
  return false;
}

// applied() is how many operations the least-used edit changed (0: the mutant never ran), or -1
// when no mutant is active. (A compare-exchange's failure order is looked up at every call, like
// its success order, so both edits of a CAS mutant count calls.)
inline long applied() {
  const Active& a = active();
  if (a.count == 0) return -1;
  unsigned long least = a.edits[0].applied;
  for (int i = 1; i < a.count; ++i) {
    if (a.edits[i].applied < least) least = a.edits[i].applied;
  }
  return static_cast<long>(least);
}

}  // namespace goro::models::order_mutant
