"""The verdict policy as command-line options: the thresholds `compare` and `gate` share.

add_policy_options() declares them (with verdicts.Policy's defaults, so the help text and the
rule cannot drift apart), with --store and --force that both commands take too (and --across-environments for the
commands that judge stored records); policy_from()
reads and validates the thresholds back into a verdicts.Policy.
"""
from __future__ import annotations

import argparse

from ..results.storeloc import add_store_option
from . import verdicts


# Short names for the latency counters (benches/README.md): `--metric p99` judges p99_ns.
METRIC_ALIASES = {"p50": "p50_ns", "p99": "p99_ns", "p999": "p999_ns", "wake_p50": "wake_p50_ns",
                  "wake_p99": "wake_p99_ns", "wake_p999": "wake_p999_ns"}


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    """add_policy_options() adds the verdict thresholds shared by compare and gate."""
    defaults = verdicts.Policy()
    parser.add_argument("--metric", default=defaults.metric,
                        help="real_time (default), cpu_time or a counter such as items_per_second, "
                             "cpu_wall, p99 (p99_ns: open-loop response time), wake_p99 "
                             "(wake_p99_ns) (*_per_second metrics are higher-is-better)")
    parser.add_argument("--alpha", type=float, default=defaults.alpha,
                        help="significance after Holm correction (default 0.01)")
    parser.add_argument("--band-floor", type=float, default=defaults.band_floor,
                        help="smallest noise band, as a fraction (default 0.05 = 5%%)")
    parser.add_argument("--unstable-limit", type=float, default=defaults.unstable_limit,
                        help="noise band (or robust CV without an A/A) above which a benchmark "
                             "is unstable: reported, never gated (default 0.25)")
    add_store_option(parser)
    parser.add_argument("--force", action="store_true",
                        help="compare records from different machines anyway")


def add_environment_option(parser: argparse.ArgumentParser) -> None:
    """add_environment_option() adds --across-environments (compare, gate, history, bisect)."""
    parser.add_argument("--across-environments", action="store_true",
                        help="judge across different environments (kernel, governor, SMT, boost, "
                             "cgroup quota, compiler, flags, build type: "
                             "suite/results/environment.py) with a warning and a label, instead "
                             "of refusing (exit 2)")


def policy_from(args: argparse.Namespace) -> verdicts.Policy:
    """policy_from() reads the thresholds from parsed options (validated)."""
    for name in ("alpha", "band_floor", "unstable_limit"):
        value = getattr(args, name)
        if not (0 < value < 1 if name == "alpha" else 0 <= value):
            raise ValueError(f"--{name.replace('_', '-')} out of range: {value}")
    return verdicts.Policy(alpha=args.alpha, band_floor=args.band_floor,
                           unstable_limit=args.unstable_limit,
                           metric=METRIC_ALIASES.get(args.metric, args.metric))
