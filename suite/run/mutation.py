"""What the source-mutation checks share: a verdict, the staleness rule for a search text, and
choosing mutations by name. Used by mutants.py (the C++ tree against its unit and property tests)
and pymutants.py (suite/ against pytest)."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence


@dataclass
class Verdict:
    """Verdict is what the tests made of one mutation: killed | SURVIVED | ERROR."""
    mutation: Any
    status: str
    detail: str
    seconds: float


def search_text_error(name: str, root: Path, file: str, search: str) -> str | None:
    """search_text_error() says why a mutation is stale (its file is missing, or its search text
    does not occur exactly once), or None when it still applies."""
    source = root / file
    if not source.is_file():
        return f"{name}: {file} does not exist"
    count = source.read_text(encoding="utf-8").count(search)
    if count != 1:
        return f"{name}: search text occurs {count} times in {file} (exactly 1 expected)"
    return None


def choose(mutations: Sequence[Any], only: Sequence[str] | None) -> list[Any] | None:
    """choose() keeps the mutations named in `only` (all when empty); None, after printing the
    unknown names, when one names no mutation."""
    if not only:
        return list(mutations)
    unknown = sorted(set(only) - {m.name for m in mutations})
    if unknown:
        print(f"mutants: no mutation named {', '.join(unknown)} (see --list)", file=sys.stderr)
        return None
    return [m for m in mutations if m.name in only]


def refuse_stale(errors: list[str], nothing: str) -> bool:
    """refuse_stale() prints the stale mutations (and that `nothing` was done); True if any."""
    for error in errors:
        print(f"mutants: ERROR {error}", file=sys.stderr)
    if errors:
        print(f"mutants: fix the stale mutations in the data file; nothing was {nothing}", file=sys.stderr)
    return bool(errors)
