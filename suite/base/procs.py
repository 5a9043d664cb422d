"""Running external commands: echo what runs, stream its output, report elapsed time."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence


def format_command(argv: Sequence[str | os.PathLike[str]], cwd: Path | None = None) -> str:
    """format_command() renders argv as a shell line a person can paste."""
    line = " ".join(shlex.quote(str(a)) for a in argv)
    return f"(cd {shlex.quote(str(cwd))} && {line})" if cwd else line


def run(argv: Sequence[str | os.PathLike[str]], cwd: Path | None = None,
        env: Mapping[str, str] | None = None, timeout: float | None = None) -> int:
    """run() echoes the command, streams its output to ours and returns its exit status
    (124 on timeout, 127 when the program does not exist)."""
    print(f"$ {format_command(argv, cwd)}", flush=True)
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        completed = subprocess.run([str(a) for a in argv], cwd=cwd, env=full_env, timeout=timeout)
    except FileNotFoundError as error:
        print(f"suite: cannot run {argv[0]}: {error}", file=sys.stderr, flush=True)
        return 127
    except subprocess.TimeoutExpired:
        print(f"suite: {argv[0]} timed out after {timeout:.0f} s", file=sys.stderr, flush=True)
        return 124
    return completed.returncode


def capture(argv: Sequence[str | os.PathLike[str]], cwd: Path | None = None,
            timeout: float = 60.0) -> str | None:
    """capture() returns the stripped stdout of a command, or None when it fails or is missing."""
    try:
        completed = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                                   timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip()


def banner(title: str) -> None:
    """banner() prints a step heading that stands out in long CI logs."""
    line = "=" * 78
    print(f"\n{line}\n== {title}\n{line}", flush=True)


def format_seconds(seconds: float) -> str:
    """format_seconds() renders a duration as m:ss (or h:mm:ss)."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Stopwatch:
    """Stopwatch measures elapsed wall time from its creation."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def elapsed(self) -> float:
        """elapsed() is the number of seconds since the stopwatch was created."""
        return time.monotonic() - self.start
