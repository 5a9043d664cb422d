"""Where things live: the repository root, build directories, binaries and the default store."""
from __future__ import annotations

from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
DEFAULT_STORE: Path = REPO_ROOT / "results" / "goro.sqlite"
DEFAULT_REPORT_DIR: Path = REPO_ROOT / "results" / "report"
DEFAULT_VERIFY_DIR: Path = REPO_ROOT / "results" / "verify"  # `scripts/suite verify`'s tool output
TEST_RESULTS_DIR: Path = DEFAULT_VERIFY_DIR / "test"          # what `scripts/suite test` ran, for the same page
QUICK_FILTER: Path = REPO_ROOT / "benches" / "quick.filter"
GO_SOURCES: Path = REPO_ROOT / "benches" / "go"


def build_dir(preset: str, root: Path = REPO_ROOT) -> Path:
    """build_dir() is the binary directory of a CMake preset (CMakePresets.json: build/<preset>)."""
    return root / "build" / preset


def cpp_bench_binary(root: Path = REPO_ROOT) -> Path:
    """cpp_bench_binary() is the one Google Benchmark binary holding every C++ backend."""
    return build_dir("release", root) / "benches" / "goro_bench"


def go_bench_binary(root: Path = REPO_ROOT) -> Path:
    """go_bench_binary() is where the Go twin is built (benches/go → build/release/benches)."""
    return build_dir("release", root) / "benches" / "goro_go_bench"
