"""Comparing two sets of samples benchmark by benchmark and deciding a verdict for each.

Verdicts (r oriented so r > 1 is worse; band = the benchmark's noise band):
- REGRESSION   Holm-corrected one-sided Mann–Whitney p < alpha AND the whole bootstrap CI of r
               lies above 1 + band.
- IMPROVEMENT  the mirror: corrected p (B better) < alpha AND the whole CI lies below 1/(1 + band).
- UNKNOWN      too few samples for p < alpha to be possible at all, or the CI crosses an edge
               of the band (cannot tell a small real change from noise).
- ~            the whole CI lies inside the band: no change we can distinguish from noise.
A benchmark is *unstable* when its noise band (from an A/A calibration) or, without one, its
within-run robust CV exceeds the instability limit: it is reported, never gated.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from ..results.gbjson import FAMILIES, Samples, parse_name

# `stats` (numpy, scipy) is imported inside the functions that compute: the command line builds
# its --help from Policy's defaults on a machine where numpy is not installed yet.

REGRESSION, IMPROVEMENT, UNKNOWN, SAME = "REGRESSION", "IMPROVEMENT", "UNKNOWN", "~"


@dataclass
class Policy:
    """Policy holds the gate's thresholds (all documented in `scripts/suite compare --help`)."""
    alpha: float = 0.01
    band_floor: float = 0.05
    unstable_limit: float = 0.25
    metric: str = "real_time"


@dataclass
class Comparison:
    """Comparison is one benchmark's A-vs-B result."""
    name: str
    n_a: int
    n_b: int
    median_a: float
    median_b: float
    ratio: float
    ci_low: float
    ci_high: float
    p_worse: float
    p_better: float
    p_worse_holm: float = math.nan
    p_better_holm: float = math.nan
    band: float = 0.05
    unstable: bool = False
    verdict: str = UNKNOWN
    reason: str = ""


@dataclass(frozen=True)
class Geomean:
    """Geomean is the geometric mean of a group's ratios (r > 1 worse) with a bootstrap CI."""
    group: str      # "all" or a backend family (goro, thread, fiber, go)
    count: int
    ratio: float
    ci_low: float
    ci_high: float


@dataclass
class Outcome:
    """Outcome is a whole comparison: per-benchmark rows plus what could not be compared."""
    rows: list[Comparison] = field(default_factory=list)
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    geomeans: list[Geomean] = field(default_factory=list)  # "all" first, then per family

    @property
    def regressions(self) -> list[Comparison]:
        """regressions are the gated (stable) REGRESSION rows."""
        return [r for r in self.rows if r.verdict == REGRESSION and not r.unstable]

    def exit_code(self) -> int:
        """exit_code() is 1 on a gated regression, else 2 when data is missing, else 0."""
        if self.regressions:
            return 1
        if self.only_in_a or self.only_in_b or self.failed or not self.rows:
            return 2
        return 0


def higher_is_better(metric: str) -> bool:
    """higher_is_better() is the metric's direction: rates (`*_per_second`) go up, times down."""
    return metric.endswith("_per_second")


def noise_bands(a1: Mapping[str, Samples], a2: Mapping[str, Samples], policy: Policy) -> dict[str, float]:
    """noise_bands() calibrates each benchmark's band from an A/A pair: the furthest edge of the
    A/A ratio CI from 1, never below the floor."""
    from . import stats
    bands: dict[str, float] = {}
    up = higher_is_better(policy.metric)
    for name in set(a1) & set(a2):
        x, y = a1[name].metric(policy.metric), a2[name].metric(policy.metric)
        if len(x) < 2 or len(y) < 2:
            continue
        low, high = stats.ratio_ci(x, y, up)
        edge = max(abs(high - 1.0), abs(1.0 - low)) if not math.isnan(low) else math.nan
        bands[name] = max(policy.band_floor, edge) if not math.isnan(edge) else policy.band_floor
    return bands


def compare(a: Mapping[str, Samples], b: Mapping[str, Samples], policy: Policy,
            bands: Mapping[str, float] | None = None) -> Outcome:
    """compare() judges every benchmark present in both A and B (see the module docstring)."""
    from . import stats
    outcome = Outcome()
    up = higher_is_better(policy.metric)
    outcome.only_in_a = sorted(n for n in a if n not in b)
    outcome.only_in_b = sorted(n for n in b if n not in a)
    for name in sorted(set(a) & set(b)):
        xa, xb = a[name].metric(policy.metric), b[name].metric(policy.metric)
        if a[name].errors or b[name].errors or not xa or not xb:
            outcome.failed.append(name)
            continue
        low, high = stats.ratio_ci(xa, xb, up)
        row = Comparison(
            name=name, n_a=len(xa), n_b=len(xb),
            median_a=stats.median_ci(xa).median, median_b=stats.median_ci(xb).median,
            ratio=stats.ratio(xa, xb, up), ci_low=low, ci_high=high,
            p_worse=stats.one_sided_p(xa, xb, up, worse=True),
            p_better=stats.one_sided_p(xa, xb, up, worse=False))
        if bands is not None and name in bands:
            row.band = bands[name]
            row.unstable = row.band > policy.unstable_limit
        else:
            row.band = policy.band_floor
            spread = max(stats.robust_cv(xa), stats.robust_cv(xb))
            row.unstable = not math.isnan(spread) and spread > policy.unstable_limit
        outcome.rows.append(row)
    worse_adj = stats.holm([r.p_worse for r in outcome.rows])
    better_adj = stats.holm([r.p_better for r in outcome.rows])
    for row, pw, pb in zip(outcome.rows, worse_adj, better_adj):
        row.p_worse_holm, row.p_better_holm = pw, pb
        row.verdict, row.reason = _decide(row, policy)
    outcome.geomeans = geomeans(a, b, [r.name for r in outcome.rows], policy)
    return outcome


def geomeans(a: Mapping[str, Samples], b: Mapping[str, Samples], names: list[str],
             policy: Policy) -> list[Geomean]:
    """geomeans() summarises the compared benchmarks: all of them, then each backend family."""
    from . import stats
    up = higher_is_better(policy.metric)
    families: dict[str, list[str]] = {}
    for name in names:
        families.setdefault(parse_name(name).family or "other", []).append(name)
    rank = {family: index for index, family in enumerate(FAMILIES)}
    groups = {"all": list(names), **dict(sorted(families.items(),
                                                 key=lambda kv: rank.get(kv[0], len(rank))))}
    result = []
    for group, members in groups.items():
        pairs = [(a[n].metric(policy.metric), b[n].metric(policy.metric)) for n in members]
        if not pairs or (group != "all" and len(groups) == 2):  # one family: "all" says it
            continue
        r, low, high = stats.geomean_ratio_ci(pairs, up)
        result.append(Geomean(group, len(members), r, low, high))
    return result


ABOVE, BELOW, INSIDE, CROSSES, NO_CI = "above", "below", "inside", "crosses", "no CI"


def band_position(ci_low: float, ci_high: float, band: float) -> str:
    """band_position() is the one rule every verdict uses: where the whole CI of r lies against
    the band [1/(1 + band), 1 + band] — ABOVE it (worse), BELOW it (better), INSIDE, or it
    CROSSES an edge (NO_CI without an interval)."""
    if math.isnan(ci_low) or math.isnan(ci_high):
        return NO_CI
    upper, lower = 1.0 + band, 1.0 / (1.0 + band)
    if ci_low > upper:
        return ABOVE
    if ci_high < lower:
        return BELOW
    if lower <= ci_low and ci_high <= upper:
        return INSIDE
    return CROSSES


def _decide(row: Comparison, policy: Policy) -> tuple[str, str]:
    from . import stats
    position = band_position(row.ci_low, row.ci_high, row.band)
    if stats.smallest_possible_p(row.n_a, row.n_b) >= policy.alpha or position == NO_CI:
        return UNKNOWN, f"too few samples ({row.n_a} vs {row.n_b}) to reach p < {policy.alpha}"
    if row.p_worse_holm < policy.alpha and position == ABOVE:
        return REGRESSION, f"CI above +{row.band:.0%} band, p={row.p_worse_holm:.2g}"
    if row.p_better_holm < policy.alpha and position == BELOW:
        return IMPROVEMENT, f"CI below band, p={row.p_better_holm:.2g}"
    if position == INSIDE:
        return SAME, f"CI inside ±{row.band:.0%} band"
    return UNKNOWN, "CI crosses the noise band" if position == CROSSES \
        else "CI beyond the band but not significant after Holm"


def compare_counts(a: Mapping[str, int], b: Mapping[str, int], band: float) -> Outcome:
    """compare_counts() judges exact counts (instructions under callgrind: one number per side,
    no noise) by the same band rule, the CI of r being r itself: REGRESSION above 1 + band,
    IMPROVEMENT below 1/(1 + band), ~ inside. A count of 0 (nothing collected) is a failure."""
    outcome = Outcome()
    outcome.only_in_a = sorted(n for n in a if n not in b)
    outcome.only_in_b = sorted(n for n in b if n not in a)
    for name in sorted(set(a) & set(b)):
        if a[name] <= 0 or b[name] <= 0:
            outcome.failed.append(name)
            continue
        r = b[name] / a[name]
        row = Comparison(name=name, n_a=1, n_b=1, median_a=float(a[name]),
                         median_b=float(b[name]), ratio=r, ci_low=r, ci_high=r,
                         p_worse=math.nan, p_better=math.nan, band=band)
        position = band_position(r, r, band)
        row.verdict, row.reason = {
            ABOVE: (REGRESSION, f"exact count above +{band:.0%} band"),
            BELOW: (IMPROVEMENT, "exact count below band"),
        }.get(position, (SAME, f"exact count inside ±{band:.0%} band"))
        outcome.rows.append(row)
    if outcome.rows:
        mean = math.exp(sum(math.log(r.ratio) for r in outcome.rows) / len(outcome.rows))
        outcome.geomeans = [Geomean("all", len(outcome.rows), mean, mean, mean)]
    return outcome
