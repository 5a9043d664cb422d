"""The environment fingerprint: everything besides the code that moves every benchmark at once.

A kernel, CPU-governor, SMT, boost or cgroup-quota change, or another compiler or flags, shifts
timings across the board; a step with no code change under it is not the code's. Every record
keeps its fingerprint (context["environment"]); `compare`, `gate` and `history` compare
fingerprints before they compare timings and refuse (exit 2, naming what differs) unless told
--across-environments, and then they label what they report.

Fields (FIELDS, in the order differences are named): CPU model and a hash of its flags, core
count, SMT, frequency governor and boost, kernel release, cgroup CPU quota, compiler, its flags
and the build type. A field a record does not know (older records; /sys not mounted) is never a
difference: only two known, unequal values are.
"""
from __future__ import annotations

import hashlib
import os
import platform
import re
from pathlib import Path
from typing import Any, Mapping

FIELDS = ("cpu_model", "cpu_flags", "cores", "smt", "governor", "boost", "kernel",
          "cgroup_cpu_quota", "compiler", "cxx_flags", "build_type")


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def _boost() -> str | None:
    """_boost() is "on"/"off" from cpufreq's boost switch or intel_pstate's no_turbo."""
    boost = _read("/sys/devices/system/cpu/cpufreq/boost")
    if boost is not None:
        return "on" if boost == "1" else "off"
    no_turbo = _read("/sys/devices/system/cpu/intel_pstate/no_turbo")
    return None if no_turbo is None else ("off" if no_turbo == "1" else "on")


def _cgroup_quota() -> str | None:
    """_cgroup_quota() is cgroup v2's cpu.max ("max 100000" = no quota) or v1's quota/period."""
    v2 = _read("/sys/fs/cgroup/cpu.max")
    if v2 is not None:
        return v2
    quota, period = _read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), \
        _read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
    return None if quota is None else f"{quota} {period}"


def fingerprint(build: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """fingerprint() is this machine's environment now, with the compiler, flags and build type
    of the build context given (results/context.build())."""
    cpuinfo = _read("/proc/cpuinfo") or ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    flags = re.search(r"^(?:flags|Features)\s*:\s*(.+)$", cpuinfo, re.M)
    build = build or {}
    return {
        "cpu_model": model.group(1).strip() if model else platform.processor() or None,
        "cpu_flags": hashlib.sha256(" ".join(sorted(flags.group(1).split())).encode())
        .hexdigest()[:12] if flags else None,
        "cores": os.cpu_count(),
        "smt": _read("/sys/devices/system/cpu/smt/active"),
        "governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        "boost": _boost(),
        "kernel": platform.release(),
        "cgroup_cpu_quota": _cgroup_quota(),
        "compiler": build.get("compiler_version") or build.get("compiler"),
        "cxx_flags": build.get("cxx_flags"),
        "build_type": build.get("build_type"),
    }


def of_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """of_context() is a record context's fingerprint; for a record made before fingerprints,
    what its machine and build contexts tell (kernel, CPU, cores, compiler, flags, type)."""
    stored = context.get("environment")
    if isinstance(stored, dict):
        return dict(stored)
    machine, build = context.get("machine") or {}, context.get("build") or {}
    return {"cpu_model": machine.get("cpu_model"), "cores": machine.get("cores"),
            "kernel": machine.get("kernel"),
            "compiler": build.get("compiler_version") or build.get("compiler"),
            "cxx_flags": build.get("cxx_flags"), "build_type": build.get("build_type")}


def differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """differences() names each field both fingerprints know and that differs: "kernel 6.1 →
    6.5". Empty: the same environment as far as both can tell."""
    changed = []
    for key in FIELDS:
        x, y = a.get(key), b.get(key)
        if x is not None and y is not None and x != y:
            changed.append(f"{key} {x} → {y}")
    return changed


def describe(changed: list[str]) -> str:
    """describe() is the one-line naming of what differs."""
    return "; ".join(changed)
