"""Building what the suite runs: a CMake preset whole, or only the benchmark binary of release.

One place knows the build commands, so `test`, `bench`, `report`, `gate`, `models` and `stress`
build alike: configure with the preset, then `cmake --build --preset ... -j2` (two cores shared by
everyone on a CI runner or a laptop; more jobs only thrash).
"""
from __future__ import annotations

from pathlib import Path

from .paths import REPO_ROOT
from .procs import run


def configure_and_build(preset: str, root: Path = REPO_ROOT) -> int:
    """configure_and_build() configures a CMake preset and builds all of it with -j2."""
    status = run(["cmake", "--preset", preset], cwd=root)
    return status or run(["cmake", "--build", "--preset", preset, "-j2"], cwd=root)


def build_release(root: Path = REPO_ROOT) -> int:
    """build_release() configures and builds the release preset with -j2."""
    return configure_and_build("release", root)


def build_benchmarks(root: Path = REPO_ROOT) -> int:
    """build_benchmarks() configures the release preset and builds only the benchmark binary
    (-j2): measuring needs neither the tests nor the models (the runner builds the Go twin)."""
    status = run(["cmake", "--preset", "release"], cwd=root)
    return status or run(["cmake", "--build", "--preset", "release", "-j2", "--target", "goro_bench"], cwd=root)
