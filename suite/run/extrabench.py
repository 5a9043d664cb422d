"""A scheduler policy of your own in a measured run: `--extra-binary PATH` of `bench` and `report`.

A goro::bench binary (<goro/bench.hpp>: `goro::register_policy("mine", ...)`, then
`goro::bench::main`) runs goro's workloads on every registered policy, the built-ins and yours,
with goro_bench's names (`<workload>/goro/<policy>/workers:N`), flags and JSON. A run with
`--extra-binary PATH` takes from it only the benchmarks of the policies goro_bench does not have
(the built-ins are measured once, by goro_bench) and runs each right after the built-ins' run of
the same workload and worker count, in the same set, into the same record. So
`scripts/suite designs` and the report show the user's policy as one more goro/<policy> column
next to fifo, steal and go, measured under the same conditions. A channel of your own
(<goro/bench/backend_channel.hpp>: goro::bench::register_channel(), or CMake's
goro_add_algorithm_bench()) joins the same way: its backend goro/chan:<name> is goro's runtime on
the go policy with that channel, measured right after goro/go's run of each channel workload.

Refused, each as one line (ExtraBinaryError; `bench` and `report` exit 2 before measuring):
a path that is missing, a directory or not executable; a program that cannot run, fails or hangs
on `--benchmark_list_tests` (a policy registered under a built-in's name stops a goro::bench
binary there: the runtime's message is shown); one that lists no `<workload>/goro/<policy>/
workers:N` benchmark (not a goro::bench binary); one that adds no policy to the built-ins; and
two extra binaries that run a policy of the same name.
"""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Sequence

from ..results.gbjson import parse_name
from .runner import Binary

LIST_TIMEOUT = 60.0  # seconds for `--benchmark_list_tests`: registering, never measuring
Plan = list[tuple[Binary, str]]


class ExtraBinaryError(ValueError):
    """ExtraBinaryError is a user's --extra-binary that cannot join the run (one line, exit 2)."""


def check_files(paths: Sequence[Path]) -> list[Binary]:
    """check_files() refuses a path that is missing, a directory or not executable (before any
    build: a typo costs no minutes) and returns the binaries, by absolute path."""
    found = []
    for path in paths:
        where = f"--extra-binary {path}"
        if not path.exists():
            raise ExtraBinaryError(f"{where}: no such file")
        if path.is_dir():
            raise ExtraBinaryError(f"{where}: is a directory, not a benchmark binary")
        if not os.access(path, os.X_OK):
            raise ExtraBinaryError(f"{where}: not executable")
        if any(b.path == path.resolve() for b in found):
            raise ExtraBinaryError(f"{where}: given twice")
        found.append(Binary(path.resolve(), "cpp"))  # goro::bench: goro_bench's flags and JSON
    return found


def listing(binary: Binary, regex: str = ".") -> list[str]:
    """listing() is what `binary --benchmark_list_tests` names (as listed), or ExtraBinaryError
    saying why the program did not answer as a Google Benchmark binary does."""
    where = f"--extra-binary {binary.path}"
    try:
        completed = subprocess.run([str(binary.path), f"--benchmark_filter={regex}",
                                    "--benchmark_list_tests=true"], stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, errors="replace",
                                   timeout=LIST_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ExtraBinaryError(f"{where}: no answer to --benchmark_list_tests within "
                               f"{LIST_TIMEOUT:.0f} s (not a goro::bench binary?)") from None
    except OSError as error:
        raise ExtraBinaryError(f"{where}: cannot run it: {error.strerror}") from None
    if completed.returncode != 0:
        said = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        how = (f"exit {completed.returncode}" if completed.returncode > 0 else
               f"killed by {_signal_name(-completed.returncode)}")
        raise ExtraBinaryError(f"{where}: --benchmark_list_tests failed ({how})"
                               + (f": {said[-1][:300]}" if said else ""))
    return [line.strip() for line in completed.stdout.splitlines() if line.strip()]


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def goro_policies(names: Sequence[str]) -> set[str]:
    """goro_policies() is the goro/<policy> backends among contract names."""
    found = set()
    for name in names:
        parsed = parse_name(name)
        if parsed.family == "goro" and parsed.policy and parsed.workers is not None:
            found.add(parsed.policy)
    return found


def own_policies(binary: Binary, builtins: set[str]) -> set[str]:
    """own_policies() is the policies `binary` runs that goro_bench does not (ExtraBinaryError
    when it is not a goro::bench binary or adds no policy)."""
    policies = goro_policies(listing(binary))
    if not policies:
        raise ExtraBinaryError(f"--extra-binary {binary.path}: not a goro::bench binary (its "
                               "--benchmark_list_tests names no <workload>/goro/<policy>/workers:N "
                               "benchmark)")
    own = policies - builtins
    if not own:
        raise ExtraBinaryError(
            f"--extra-binary {binary.path}: adds no policy: it runs only goro_bench's built-in "
            f"policies ({', '.join(sorted(policies))}); register yours with goro::register_policy() "
            "(or a channel with goro::bench::register_channel()) before goro::bench::main(), "
            "under a name none of them has")
    return own


def extra_plan(extras: Sequence[Binary], builtin_names: Sequence[str], regex: str
               ) -> tuple[Plan, dict[str, str]]:
    """extra_plan() is what the extra binaries add to a run: their own policies' benchmarks
    matching `regex`, and which binary measures which policy (policy → path). `builtin_names` is
    goro_bench's whole listing (the built-in policies)."""
    builtins = goro_policies(builtin_names)
    owner: dict[str, Binary] = {}
    plan: Plan = []
    for binary in extras:
        own = own_policies(binary, builtins)
        for policy in sorted(own):
            if policy in owner:
                raise ExtraBinaryError(f"--extra-binary {owner[policy].path} and {binary.path} both "
                                       f"run a policy named {policy!r}: rename one of them")
            owner[policy] = binary
        plan += [(binary, n) for n in listing(binary, regex)
                 if parse_name(n).family == "goro" and parse_name(n).policy in own]
    return plan, {policy: str(binary.path) for policy, binary in sorted(owner.items())}


def interleave(plan: Plan, extras: Plan) -> Plan:
    """interleave() puts each extra benchmark right after the last goro benchmark of the same
    workload and worker count in `plan` (goro_bench lists policy by policy, so that is the last
    built-in's run of it: go's), so the user's policy is measured among the built-ins, not after
    the Go twin; one with no such built-in goes after the last goro benchmark."""
    anchor: dict[tuple[str, int | None], int] = {}
    for index, (_, name) in enumerate(plan):
        parsed = parse_name(name)
        if parsed.family == "goro":
            anchor[(parsed.workload, parsed.workers)] = index
    last_goro = max(anchor.values(), default=len(plan) - 1)
    after: dict[int, Plan] = {}
    for entry in extras:
        parsed = parse_name(entry[1])
        after.setdefault(anchor.get((parsed.workload, parsed.workers), last_goro), []).append(entry)
    placed: Plan = list(after.get(-1, []))  # an empty plan: the extras alone
    for index, entry in enumerate(plan):
        placed.append(entry)
        placed += after.get(index, [])
    return placed
