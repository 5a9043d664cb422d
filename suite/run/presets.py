"""Named benchmark sets (`--preset NAME`): benches/NAME.filter, a quick.filter-shaped file whose
`#env NAME=VALUE` lines are environment defaults for the benchmark processes of that set."""
from __future__ import annotations

import os
import re
from pathlib import Path

_ENV_LINE = re.compile(r"^#env\s+([A-Z_][A-Z0-9_]*)=(\S*)\s*$")


def names(benches: Path) -> list[str]:
    """names() lists the presets a checkout defines (benches/*.filter)."""
    return sorted(p.stem for p in benches.glob("*.filter"))


def environment(path: Path) -> dict[str, str]:
    """environment() is a preset file's `#env` defaults, in file order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return {m.group(1): m.group(2) for m in map(_ENV_LINE.match, lines) if m}


def apply_env(path: Path) -> dict[str, str]:
    """apply_env() sets a preset's environment defaults in this process (the benchmark processes
    inherit them), never overriding a variable already set; returns what is in effect."""
    effective = {}
    for name, value in environment(path).items():
        os.environ.setdefault(name, value)
        effective[name] = os.environ[name]
    return effective
