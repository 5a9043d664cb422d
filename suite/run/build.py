"""Building what the suite runs: a CMake preset whole, or only the benchmark binary of release.

One place knows the build commands, so `test`, `bench`, `report`, `gate`, `models` and `stress`
build alike: configure with the preset, then `cmake --build --preset ... -j2` (two cores shared by
everyone on a CI runner or a laptop; more jobs only thrash). Also the out-of-tree examples (a
custom policy, a channel and a run queue checked by the verification kit), built against an
installed goro as a user would.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from ..base.paths import REPO_ROOT, build_dir
from ..base.procs import format_command, run


def configure_and_build(preset: str, root: Path = REPO_ROOT) -> int:
    """configure_and_build() configures a CMake preset and builds all of it with -j2."""
    status = run(["cmake", "--preset", preset], cwd=root)
    return status or run(["cmake", "--build", "--preset", preset, "-j2"], cwd=root)


def build_release(root: Path = REPO_ROOT) -> int:
    """build_release() configures and builds the release preset with -j2."""
    return configure_and_build("release", root)


# What a checkout built only to be measured leaves out (the gate's and bisect's worktrees): the
# configure step then has nothing to find for tests, examples, models or stress programs.
BENCH_ONLY = tuple(f"-D{option}=OFF" for option in ("GORO_BUILD_TESTS", "GORO_BUILD_EXAMPLES",
                                                    "GORO_BUILD_MODELS", "GORO_BUILD_STRESS"))


def build_benchmarks(root: Path = REPO_ROOT, options: tuple[str, ...] = ()) -> int:
    """build_benchmarks() configures the release preset (with extra -D options, e.g. BENCH_ONLY)
    and builds only the benchmark binary (-j2): measuring needs neither the tests nor the
    models (the runner builds the Go twin)."""
    status = run(["cmake", "--preset", "release", *options], cwd=root)
    return status or run(["cmake", "--build", "--preset", "release", "-j2", "--target", "goro_bench"], cwd=root)


def build_project(root: Path, configure: str | None, build: str | None) -> int:
    """build_project() builds an out-of-tree project's benchmark binary (`--project`): its own
    shell commands when given, run in its checkout, else CMake's defaults (configure build/
    as RelWithDebInfo, build it with -j2). A project found against an installed goro gets
    CMAKE_PREFIX_PATH from the environment, as its own build would."""
    configure_argv = ["sh", "-c", configure] if configure else \
        ["cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"]
    build_argv = ["sh", "-c", build] if build else ["cmake", "--build", "build", "-j2"]
    return run(configure_argv, cwd=root) or run(build_argv, cwd=root)


# The out-of-tree example (README, "Adding your own scheduler policy"): where it is, and where
# the test command installs goro and builds the example (kept between runs: incremental).
CUSTOM_POLICY_SOURCE = Path("examples") / "custom_policy"
CUSTOM_POLICY_WORK = Path("build") / "custom_policy"
CUSTOM_POLICY_BENCH = CUSTOM_POLICY_WORK / "build" / "lifo_slot_bench"  # its goro::bench binary


def build_custom_policy(root: Path = REPO_ROOT, target: str | None = None) -> int:
    """build_custom_policy() installs goro from an existing release build into a fresh prefix
    (`cmake --install`) and configures and builds examples/custom_policy against it with
    find_package(goro), as a user would: all of it, or one target (lifo_slot_bench)."""
    work = root / CUSTOM_POLICY_WORK
    prefix, build = work / "prefix", work / "build"
    shutil.rmtree(prefix, ignore_errors=True)
    status = run(["cmake", "--install", str(build_dir("release", root)), "--prefix", str(prefix)], cwd=root)
    status = status or run(["cmake", "-S", str(root / CUSTOM_POLICY_SOURCE), "-B", str(build),
                            f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], cwd=root)
    return status or run(["cmake", "--build", str(build), "-j2", *(["--target", target] if target else [])],
                         cwd=root)


# The out-of-tree channel checked by the verification kit (examples/retry_chan): built against
# the same installed goro as the policy example, in its own build tree.
RETRY_CHAN_SOURCE = Path("examples") / "retry_chan"
RETRY_CHAN_WORK = Path("build") / "retry_chan"


def retry_chan_example(root: Path = REPO_ROOT) -> int:
    """retry_chan_example() does what a user with their own channel does, from an existing release
    build: build_kit_example() (install goro into a fresh prefix, build examples/retry_chan against
    it with find_package(goro)), then run its kit checks (run_algorithm_checks(): the quick tier;
    each planted bug must be reported as its kind)."""
    status = build_kit_example(RETRY_CHAN_SOURCE, RETRY_CHAN_WORK, root)
    return status or run_algorithm_checks("retry_chan", root / RETRY_CHAN_WORK / "build", root / RETRY_CHAN_CHECKS)


# Where retry_chan_example() writes what the kit said (kind "algorithm-checks"; the verification
# page reads it, suite/results/verification.py).
RETRY_CHAN_CHECKS = RETRY_CHAN_WORK / "algorithm-checks.json"
CHECK_TIMEOUT = 300.0  # seconds per kit executable, as the example's ctest timeout


def run_algorithm_checks(algorithm: str, build: Path, output: Path) -> int:
    """run_algorithm_checks() runs every check the kit registered in an example's build tree (the
    tests `ctest --show-only=json-v1` lists: the models, and each planted bug with its --expect),
    each with --json, and writes output: one record per check (command, exit status, seconds, the
    runs it wrote, or null when it wrote none). 0 when every check passed, else 1. The file is
    removed first and marked complete only at the end, so a run that stopped reads as partial."""
    output.unlink(missing_ok=True)
    listed = subprocess.run(["ctest", "--test-dir", str(build), "--show-only=json-v1"],
                            capture_output=True, text=True, check=False)
    try:
        tests = json.loads(listed.stdout)["tests"]
    except (json.JSONDecodeError, KeyError, TypeError):
        print(f"{algorithm}: ctest --show-only=json-v1 in {build} did not list the kit's tests", flush=True)
        return 1
    if not tests:
        print(f"{algorithm}: no kit checks in {build}", flush=True)
        return 1
    scratch = build / "kit-runs"  # each check's own --json (its content is copied into output)
    scratch.mkdir(parents=True, exist_ok=True)
    document: dict[str, object] = {"kind": "algorithm-checks", "algorithm": algorithm, "complete": False,
                                   "checks": []}
    checks: list[dict[str, object]] = document["checks"]  # type: ignore[assignment]
    clock = time.monotonic()
    for test in tests:
        name, argv = test["name"], [str(a) for a in test.get("command", [])]
        runs_file = scratch / f"{name}.json"
        runs_file.unlink(missing_ok=True)
        started = time.monotonic()
        status = run([*argv, "--json", str(runs_file)], timeout=CHECK_TIMEOUT) if argv else 127
        try:
            runs = json.loads(runs_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            runs = None
        expect = argv[argv.index("--expect") + 1] if "--expect" in argv[:-1] else None
        checks.append({"test": name, "command": format_command([*argv, "--json", str(runs_file)]),
                       "bug": name.rsplit(".", 1)[-1] if expect else None, "expect": expect,
                       "status": status, "timeout": CHECK_TIMEOUT,
                       "seconds": round(time.monotonic() - started, 2), "runs": runs})
    document["complete"] = True
    document["seconds"] = round(time.monotonic() - clock, 1)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    failed = [c["test"] for c in checks if c["status"] != 0 or c["runs"] is None]
    print(f"{algorithm}: {len(checks) - len(failed)} of {len(checks)} kit checks passed"
          + (f"; FAILED: {', '.join(map(str, failed))}" if failed else "") + f" ({output})", flush=True)
    return 1 if failed else 0


# The out-of-tree run queue checked by the verification kit (examples/ring_queue, KIND queue),
# and the memory-order mutants of its header against its kit model (ordermutants --header).
RING_QUEUE_SOURCE = Path("examples") / "ring_queue"
RING_QUEUE_WORK = Path("build") / "ring_queue"
RING_QUEUE_CHECKS = RING_QUEUE_WORK / "algorithm-checks.json"
RING_QUEUE_MODEL = RING_QUEUE_WORK / "build" / "ring_queue_model"


def build_kit_example(source: Path, work: Path, root: Path = REPO_ROOT) -> int:
    """build_kit_example() does what a user with an algorithm of their own does, from an existing
    release build: install goro into a fresh prefix (work/prefix), configure the example against
    it with find_package(goro) (work/build) and build its kit models (-j2). Line tables only
    (-g1): the checks report through their own records and Relacy's history, and full -g is a
    large share of a model's compile time (models/CMakeLists.txt does the same)."""
    prefix, build = root / work / "prefix", root / work / "build"
    shutil.rmtree(prefix, ignore_errors=True)
    status = run(["cmake", "--install", str(build_dir("release", root)), "--prefix", str(prefix)], cwd=root)
    status = status or run(["cmake", "-S", str(root / source), "-B", str(build),
                            f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                            "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"], cwd=root)
    return status or run(["cmake", "--build", str(build), "-j2"], cwd=root)


def custom_policy_example(root: Path = REPO_ROOT) -> int:
    """custom_policy_example() does what a user with their own policy does, from an existing
    release build: build_custom_policy(), run its conformance tests (ctest), and check that its
    benchmark binary lists goro's workloads on lifo_slot next to the built-ins."""
    build = root / CUSTOM_POLICY_WORK / "build"
    status = build_custom_policy(root)
    status = status or run(["ctest", "--test-dir", str(build), "-j2", "--no-tests=error",
                            "--output-on-failure", "--timeout", "300"], cwd=root)
    if status:
        return status
    bench = root / CUSTOM_POLICY_BENCH
    listed = subprocess.run([str(bench), "--benchmark_list_tests"], capture_output=True, text=True, check=False)
    names = listed.stdout.split()
    wanted = [f"chan_pingpong/goro/{policy}/workers:1" for policy in ("lifo_slot", "fifo", "steal", "go")]
    missing = [name for name in wanted if name not in names]
    if listed.returncode != 0 or missing:
        print(f"custom policy example: {bench} does not list {', '.join(missing) or 'its benchmarks'}", flush=True)
        return 1
    print(f"custom policy example: conformance passed; {bench} runs {len(names)} benchmarks "
          "(goro's workloads on lifo_slot, fifo, steal and go)", flush=True)
    return 0
