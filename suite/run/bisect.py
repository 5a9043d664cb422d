"""Bisection: the first commit at which benchmarks got slower, judged by the gate's statistics.

Invariants:
- Candidates are the commits of `git rev-list --first-parent --ancestry-path GOOD..BAD`, oldest
  first; BAD is the last. The first bad commit always lies in (lo, hi]: lo is GOOD or a probe
  judged like good, hi is BAD or a probe judged like bad. Only a judgement moves lo or hi.
- A probe is measured interleaved with GOOD and BAD (rounds G P B B P G: gate.interleave), and
  judged on the benchmarks that regressed from GOOD to BAD (the tracked set) with
  analysis/verdicts.compare and the A/A bands of both sides (gate.judge):
    like bad     some tracked benchmark is a (stable) REGRESSION from GOOD to the probe;
    like good    every tracked benchmark is judged, ~ or IMPROVEMENT, from GOOD to the probe;
    cannot tell  anything else (a CI crossing the band edge, too few samples, unstable).
  "Cannot tell" measures more rounds (pooled) up to --max-rounds; then the bisection stops and
  reports the range (lo, hi] it narrowed to — never a guess.
- A commit whose benchmark binary does not build is skipped (as `git bisect skip`): the probe
  moves to the nearest unskipped candidate; when only skipped ones remain, the range is reported.
- Several steps: once the first step is found at commit k, if k itself is still a REGRESSION
  against BAD (measured in k's own probe), a further step lies in (k, BAD] and is bisected with
  k as the new GOOD; a step that cannot be separated is reported as "a further step may lie in".
- --instructions judges exact callgrind counts (verdicts.compare_counts): no rounds, no bands.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..analysis import callgrind, verdicts
from ..base.paths import REPO_ROOT
from ..base.procs import Stopwatch, banner, capture, format_seconds
from ..render.console import print_outcome
from ..results import gbjson
from . import runner
from .gate import BuildError, GateError, Project, checkout, interleave, judge, resolve

LIKE_GOOD, LIKE_BAD, CANNOT_TELL = "like good", "like bad", "cannot tell"


@dataclass
class BisectPlan:
    """BisectPlan is what one bisection does (the `bisect` command's options)."""
    good: str
    bad: str
    filter: str | None = None
    rounds: int = 2
    max_rounds: int = 6
    repetitions: int = runner.QUICK_REPETITIONS
    min_time: float = runner.QUICK_MIN_TIME
    workdir: Path = REPO_ROOT / "build" / "gate"  # the gate's worktrees and builds, shared
    instructions: bool = False
    policy: verdicts.Policy = field(default_factory=verdicts.Policy)
    project: Project = field(default_factory=Project)


@dataclass
class Probe:
    """Probe is one measured commit and its judgement against GOOD."""
    number: int
    sha: str
    subject: str
    verdict: str
    rounds: int
    ratio: float = math.nan       # GOOD → probe, the tracked benchmark that moved most
    ci_low: float = math.nan
    ci_high: float = math.nan
    worse_than_bad: bool = False  # probe → BAD still a regression: a further step after it
    step: int = 1                 # which step's search it belongs to
    to_bad: tuple[float, float, float] = (math.nan, math.nan, math.nan)  # probe → BAD: r, CI


@dataclass
class Step:
    """Step is one located regression: first_bad when narrowed to one commit, else the range
    of candidates (oldest first) it could narrow to."""
    good: str
    candidates: list[str]
    names: list[str]
    ratio: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    note: str = ""
    subject: str = ""

    def to_tuple(self) -> tuple[float, float, float]:
        return self.ratio, self.ci_low, self.ci_high

    @property
    def first_bad(self) -> str | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


@dataclass
class BisectResult:
    """BisectResult is a finished bisection: GOOD vs BAD, the steps found, every probe."""
    outcome: verdicts.Outcome
    steps: list[Step]
    probes: list[Probe]
    skipped: list[str]
    code: int


def commits_between(good: str, bad: str, project: Project) -> list[str]:
    """commits_between() is GOOD..BAD along BAD's first parents, oldest first (BAD last);
    GateError when GOOD is not an ancestor of BAD."""
    good_sha, bad_sha = resolve(good, project), resolve(bad, project)
    if capture(["git", "merge-base", "--is-ancestor", good_sha, bad_sha], cwd=project.root) is None:
        raise GateError(f"--good {good} is not an ancestor of --bad {bad}")
    listed = capture(["git", "rev-list", "--reverse", "--first-parent", "--ancestry-path",
                      f"{good_sha}..{bad_sha}"], cwd=project.root) or ""
    commits = listed.split()
    if not commits:
        raise GateError(f"no commits between --good {good} and --bad {bad}")
    return commits


def subject(sha: str, project: Project) -> str:
    return capture(["git", "log", "-1", "--format=%s", sha], cwd=project.root) or ""


def classify(outcome: verdicts.Outcome, names: list[str]) -> str:
    """classify() judges a probe from its GOOD → probe outcome on the tracked benchmarks."""
    rows = {r.name: r for r in outcome.rows if r.name in names}
    if any(r.verdict == verdicts.REGRESSION and not r.unstable for r in rows.values()):
        return LIKE_BAD
    if len(rows) == len(names) and all(
            r.verdict in (verdicts.SAME, verdicts.IMPROVEMENT) and not r.unstable
            for r in rows.values()):
        return LIKE_GOOD
    return CANNOT_TELL


def _moved_most(outcome: verdicts.Outcome, names: list[str]) -> verdicts.Comparison | None:
    rows = [r for r in outcome.rows if r.name in names and not math.isnan(r.ratio)]
    return max(rows, key=lambda r: r.ratio) if rows else None


class Measurer:
    """Measurer measures sides interleaved and judges pairs: timings (gate.interleave, pooled
    over calls, A/A bands) or exact instruction counts."""

    def __init__(self, plan: BisectPlan, regex: str, clock: Stopwatch) -> None:
        self.plan, self.regex, self.clock = plan, regex, clock
        self.counts: dict[Path, dict[str, int]] = {}

    def rounds(self, sides: dict[str, runner.Binary], rounds: int,
               runs: dict[str, list[dict]] | None) -> dict[str, list[dict]]:
        """rounds() adds `rounds` interleaved rounds to runs (pooled)."""
        more = interleave(sides, self.regex, rounds, self.plan.repetitions, self.plan.min_time,
                          self.clock)
        if runs is None:
            return more
        return {k: runs[k] + more[k] for k in runs}

    def judge(self, runs: dict[str, list[dict]], a: str, b: str) -> verdicts.Outcome:
        return judge(runs, self.plan.policy, None, a, b)[0]

    def count(self, binary: runner.Binary, names: list[str]) -> dict[str, int]:
        known = self.counts.setdefault(binary.path, {})
        for name in names:
            if name not in known:
                known[name] = callgrind.instructions(binary.path, name)
        return {n: known[n] for n in names}


def bisect(plan: BisectPlan, progress: Callable[[str], None] = print) -> BisectResult:
    """bisect() finds each step between GOOD and BAD it can separate; GateError when it cannot
    judge at all (GOOD or BAD does not build, no benchmark, unknown commits)."""
    clock = Stopwatch()
    project = plan.project
    if min(plan.rounds, plan.max_rounds, plan.repetitions) < 1 or plan.min_time <= 0 \
            or plan.max_rounds < plan.rounds:
        raise GateError("--rounds, --max-rounds, --repetitions and --min-time must be positive "
                        "(and --max-rounds ≥ --rounds)")
    commits = commits_between(plan.good, plan.bad, project)
    good_sha = resolve(plan.good, project)
    banner(f"bisect: {len(commits)} commits after {good_sha[:12]}; build good and bad")
    binaries: dict[str, runner.Binary] = {}
    skipped: list[str] = []

    def binary_at(sha: str) -> runner.Binary | None:
        if sha not in binaries:
            try:
                binaries[sha] = runner.Binary(checkout(sha, plan.workdir, project), "cpp")
            except BuildError as error:
                progress(f"bisect: skip {sha[:12]} {subject(sha, project)}: {error}")
                skipped.append(sha)
                return None
        return binaries[sha]

    good_bin, bad_bin = binary_at(good_sha), binary_at(commits[-1])
    if good_bin is None or bad_bin is None:
        raise GateError("--good or --bad does not build: nothing to bisect against")
    regex = plan.filter or runner.quick_filter()
    names = runner.list_tests(good_bin, regex)
    if not names:
        raise GateError(f"no benchmark matched {regex!r}")
    measurer = Measurer(plan, regex, clock)
    overall = _pair(measurer, good_bin, bad_bin, names)
    print_outcome(overall, "instructions" if plan.instructions else plan.policy.metric)
    if overall.exit_code() == 2:
        raise GateError("good vs bad: missing or failed benchmarks (see above)", overall)
    tracked = sorted(r.name for r in overall.regressions)
    probes: list[Probe] = []
    unsure = sorted(r.name for r in overall.rows if r.verdict == verdicts.UNKNOWN or
                    (r.unstable and r.verdict == verdicts.REGRESSION))
    if not tracked and unsure:
        raise GateError(f"cannot tell whether {plan.bad} is slower than {plan.good} "
                        f"({', '.join(unsure)}: see above); nothing located", overall)
    if not tracked:
        progress(f"bisect: {plan.bad} is not slower than {plan.good} "
                 f"({format_seconds(clock.elapsed())}); nothing to bisect")
        return BisectResult(overall, [], probes, skipped, 0)
    progress(f"bisect: {len(tracked)} benchmark(s) slower at {plan.bad}: {', '.join(tracked)}")
    steps: list[Step] = []
    lo_sha, lo_bin, candidates = good_sha, good_bin, commits
    previous: Probe | None = None  # the last step's first bad commit, measured against BAD
    while candidates:
        step, last = _one_step(measurer, lo_sha, lo_bin, bad_bin, candidates, tracked,
                               binary_at, skipped, probes, progress, project, len(steps) + 1)
        if last is None:  # the step ends at BAD: its size is (the previous step's commit →) BAD
            moved = _moved_most(overall, tracked)
            step.ratio, step.ci_low, step.ci_high = previous.to_bad if previous is not None else \
                (moved.ratio, moved.ci_low, moved.ci_high) if moved is not None else step.to_tuple()
        steps.append(step)
        previous = last
        if step.first_bad is None or last is None or not last.worse_than_bad:
            break
        index = commits.index(step.first_bad)
        lo_sha, lo_bin, candidates = step.first_bad, binaries[step.first_bad], commits[index + 1:]
        progress(f"bisect: {step.first_bad[:12]} is still slower than {plan.bad}: "
                 "a further step follows it")
    progress(f"bisect: {len(steps)} step(s), {len(probes)} probe(s), "
             f"{format_seconds(clock.elapsed())}")
    return BisectResult(overall, steps, probes, skipped, 1)


def _pair(measurer: Measurer, a: runner.Binary, b: runner.Binary,
          names: list[str]) -> verdicts.Outcome:
    """_pair() is A vs B on all names (the range's overall regression)."""
    if measurer.plan.instructions:
        chosen = [n for n in names if callgrind.eligible(gbjson.canonical(n))]
        if not chosen:
            raise GateError("no single-worker goro/fiber benchmark matched for instruction counts")
        return verdicts.compare_counts(measurer.count(a, chosen), measurer.count(b, chosen),
                                       measurer.plan.policy.band_floor)
    runs = measurer.rounds({"A": a, "B": b}, measurer.plan.rounds, None)
    return measurer.judge(runs, "A", "B")


def _judge_probe(measurer: Measurer, good: runner.Binary, probe: runner.Binary,
                 bad: runner.Binary, tracked: list[str]) -> tuple[str, verdicts.Outcome,
                                                               verdicts.Outcome, int]:
    """_judge_probe() measures GOOD, probe, BAD interleaved (more rounds while it cannot tell)
    and returns the verdict, GOOD → probe, probe → BAD and the rounds used."""
    plan = measurer.plan
    if plan.instructions:
        band = plan.policy.band_floor
        counts = [measurer.count(b, tracked) for b in (good, probe, bad)]
        to_probe = verdicts.compare_counts(counts[0], counts[1], band)
        return classify(to_probe, tracked), to_probe, \
            verdicts.compare_counts(counts[1], counts[2], band), 1
    sides = {"G": good, "P": probe, "B": bad}
    runs, used = None, 0
    while True:
        add = plan.rounds if used == 0 else min(plan.rounds, plan.max_rounds - used)
        runs = measurer.rounds(sides, add, runs)
        used += add
        to_probe, to_bad = measurer.judge(runs, "G", "P"), measurer.judge(runs, "P", "B")
        verdict = classify(to_probe, tracked)
        if verdict != CANNOT_TELL or used >= plan.max_rounds:
            return verdict, to_probe, to_bad, used


def _one_step(measurer: Measurer, good_sha: str, good_bin: runner.Binary, bad_bin: runner.Binary,
              candidates: list[str], tracked: list[str],
              binary_at: Callable[[str], runner.Binary | None], skipped: list[str],
              probes: list[Probe], progress: Callable[[str], None],
              project: Project, step_number: int = 1) -> tuple[Step, Probe | None]:
    """_one_step() narrows the first step after good_sha among candidates (BAD last): the first
    bad commit lies in candidates[lo + 1 .. hi] (lo = -1: good_sha itself)."""
    lo, hi = -1, len(candidates) - 1
    last: Probe | None = None  # the probe at hi, when hi is not BAD
    unsure: set[int] = set()
    expected = math.ceil(math.log2(max(len(candidates), 2)))
    first = len(probes)
    while hi - lo > 1:
        open_ = [i for i in range(lo + 1, hi)
                 if candidates[i] not in skipped and i not in unsure]
        if not open_:
            break
        mid = (lo + hi) // 2
        index = min(open_, key=lambda i: (abs(i - mid), i))
        probe_bin = binary_at(candidates[index])
        if probe_bin is None:
            continue
        verdict, to_probe, to_bad, used = _judge_probe(measurer, good_bin, probe_bin, bad_bin,
                                                       tracked)
        moved = _moved_most(to_probe, tracked)
        probe = Probe(len(probes) + 1, candidates[index], subject(candidates[index], project),
                      verdict, used, *(moved.ratio, moved.ci_low, moved.ci_high) if moved else ())
        probe.worse_than_bad = bool(to_bad.regressions) and any(
            r.name in tracked for r in to_bad.regressions)
        probe.step = step_number
        if (beyond := _moved_most(to_bad, tracked)) is not None:
            probe.to_bad = (beyond.ratio, beyond.ci_low, beyond.ci_high)
        probes.append(probe)
        shown = f"r={probe.ratio:.3f} [{probe.ci_low:.3f}, {probe.ci_high:.3f}]" \
            if moved else "no ratio"
        within = f"step {step_number} " if step_number > 1 else ""
        progress(f"bisect: {within}probe {probe.number - first} of ~{expected}: "
                 f"{probe.sha[:12]} {probe.subject}: {verdict} ({shown}, {used} round(s))")
        if verdict == LIKE_GOOD:
            lo = index
        elif verdict == LIKE_BAD:
            hi, last = index, probe
        else:
            unsure.add(index)
    step = Step(good_sha, candidates[lo + 1:hi + 1], tracked)
    if step.first_bad:
        step.subject = subject(step.first_bad, project)
    if last is not None:
        step.ratio, step.ci_low, step.ci_high = last.ratio, last.ci_low, last.ci_high
    if step.first_bad is None:
        step.note = (f"narrowed to {len(step.candidates)} commits: "
                     + ("some cannot be told apart from good or bad" if unsure else
                        "the others do not build"))
    return step, last



def document(result: BisectResult) -> dict:
    """document() is the bisection part of the CI outputs (ciout's "bisect" key)."""
    def step(s: Step) -> dict:
        return {"good": s.good, "first_bad": s.first_bad, "candidates": s.candidates,
                "names": s.names, "ratio": s.ratio, "ci_low": s.ci_low, "ci_high": s.ci_high,
                "note": s.note, "subject": s.subject}
    return {"steps": [step(s) for s in result.steps], "probes": [vars(p) for p in result.probes],
            "skipped": result.skipped}


def report(result: BisectResult, progress: Callable[[str], None] = print) -> None:
    """report() prints each step: the first bad commit with its subject and the step's size
    with its CI, or the range it could narrow to."""
    from ..render.ciout import step_text
    for index, step in enumerate(document(result)["steps"], start=1):
        progress(f"bisect: step {index}: {step_text(step).replace('`', '')}")
        if not step["first_bad"]:
            for sha in step["candidates"]:
                progress(f"bisect:    candidate {sha[:12]}")


def finish(args: object, plan: BisectPlan, result: BisectResult | None, error: str | None = None,
           outcome: verdicts.Outcome | None = None) -> int:
    """finish() prints the steps and writes the outputs asked for (--json/--markdown/--junit/
    --save, like the gate's); returns the exit code."""
    from ..render import ciout
    from .gate import write_outputs
    if result is not None:
        report(result)
    base = ciout.side(_sha_or_none(plan.good, plan.project), plan.good)
    head = ciout.side(_sha_or_none(plan.bad, plan.project), plan.bad)
    code = 2 if result is None else result.code
    return write_outputs("bisect", args, result.outcome if result else outcome, code, None,
                         plan.policy, base, head, error,
                         {"bisect": document(result)} if result is not None else None)


def _sha_or_none(ref: str, project: Project) -> str | None:
    try:
        return resolve(ref, project)
    except GateError:
        return None
