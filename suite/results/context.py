"""What a benchmark record carries besides the numbers: machine, git, build and run conditions."""
from __future__ import annotations

import hashlib
import os
import platform
import re
import time
from pathlib import Path
from typing import Any, Mapping

from ..base.paths import REPO_ROOT, build_dir
from ..base.procs import capture


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# What machine_id hashes (see machine()); everything else in the machine context may change.
MACHINE_ID_FIELDS = ("cpu_model", "cores", "memory_gib", "virtualisation")


def machine() -> dict[str, Any]:
    """machine() describes the host; machine_id hashes only what identifies the hardware and does
    not change between boots or updates (CPU model, core count, memory rounded to GiB,
    virtualisation). The kernel release is kept in the context but not in the id: a kernel
    update must not split one machine's history in two (a kernel that changes timings shows up
    in `history` as a change point, with the kernel named in both records)."""
    cpuinfo = _read("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = re.search(r"^MemTotal:\s*(\d+)\s*kB", _read("/proc/meminfo"), re.M)
    memory_gib = round(int(meminfo.group(1)) / 1024 / 1024) if meminfo else 0
    virtualisation = capture(["systemd-detect-virt"]) or \
        ("hypervisor" if re.search(r"^flags\s*:.*\bhypervisor\b", cpuinfo, re.M) else "none")
    info: dict[str, Any] = {
        "cpu_model": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": os.cpu_count() or 0,
        "memory_gib": memory_gib,
        "kernel": platform.release(),
        "virtualisation": virtualisation,
        "hostname": platform.node(),
    }
    info["machine_id"] = machine_id(info)
    return info


def machine_id(info: Mapping[str, Any]) -> str | None:
    """machine_id() hashes a machine description's MACHINE_ID_FIELDS (16 hex digits); None when
    one is missing (a record made elsewhere, e.g. bare Google Benchmark JSON)."""
    if not all(k in info for k in MACHINE_ID_FIELDS):
        return None
    stable = "|".join(str(info[k]) for k in MACHINE_ID_FIELDS)
    return hashlib.sha256(stable.encode()).hexdigest()[:16]


def rehash_machine_id(info: dict[str, Any]) -> bool:
    """rehash_machine_id() gives a machine description made by an older suite (whose id also
    hashed the kernel release) today's id, keeping the old one as previous_machine_id; True when
    it changed anything. Stored records and imported exports go through it, so one machine's
    history stays one history across the change."""
    current = machine_id(info)
    if current is None or info.get("machine_id") == current:
        return False
    info["previous_machine_id"] = info.get("machine_id")
    info["machine_id"] = current
    return True


def git(root: Path = REPO_ROOT) -> dict[str, Any]:
    """git() is the commit being measured: sha, branch and whether the tree has local changes."""
    sha = capture(["git", "rev-parse", "HEAD"], cwd=root) or "unknown"
    branch = capture(["git", "symbolic-ref", "--short", "-q", "HEAD"], cwd=root) or "detached"
    status = capture(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root)
    return {"sha": sha, "branch": branch, "dirty": bool(status) if status is not None else None}


def build(root: Path = REPO_ROOT, preset: str = "release") -> dict[str, Any]:
    """build() reads the compiler, flags and build type from the preset's CMakeCache.txt, Boost's
    version from its header and Go's from `go version`."""
    cache: dict[str, str] = {}
    for line in _read(build_dir(preset, root) / "CMakeCache.txt").splitlines():
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):[A-Z]+=(.*)$", line)
        if match:
            cache[match.group(1)] = match.group(2)
    build_type = cache.get("CMAKE_BUILD_TYPE", "")
    compiler = cache.get("CMAKE_CXX_COMPILER", "")
    flags = " ".join(f for f in (cache.get("CMAKE_CXX_FLAGS", ""),
                                 cache.get(f"CMAKE_CXX_FLAGS_{build_type.upper()}", "")) if f)
    boost = re.search(r'#define\s+BOOST_LIB_VERSION\s+"([^"]+)"',
                      _read("/usr/include/boost/version.hpp"))
    return {
        "preset": preset,
        "build_type": build_type or None,
        "compiler": compiler or None,
        "compiler_version": (capture([compiler, "--version"]) or "").split("\n")[0] or None
        if compiler else None,
        "cxx_flags": flags,
        "sanitizer": cache.get("GORO_SANITIZER") or None,
        "boost_version": boost.group(1).replace("_", ".") if boost else None,
        "go_version": capture(["go", "version"]),
    }


def cpu_times() -> dict[str, int]:
    """cpu_times() is the aggregate `cpu` line of /proc/stat (jiffies by field)."""
    fields = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    for line in _read("/proc/stat").splitlines():
        if line.startswith("cpu "):
            values = [int(v) for v in line.split()[1:len(fields) + 1]]
            return dict(zip(fields, values))
    return {}


def conditions_snapshot() -> dict[str, Any]:
    """conditions_snapshot() records load average and CPU jiffies at one moment."""
    try:
        load = list(os.getloadavg())
    except OSError:
        load = []
    return {"time": time.time(), "loadavg": load, "cpu": cpu_times()}


def conditions(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """conditions() summarises a run: load before/after and the steal share of CPU time spent
    meanwhile (a virtual machine's hypervisor taking our cores shows up there)."""
    delta = {k: after["cpu"].get(k, 0) - before["cpu"].get(k, 0) for k in before.get("cpu", {})}
    total = sum(delta.values())
    return {
        "loadavg_before": before["loadavg"], "loadavg_after": after["loadavg"],
        "steal_fraction": (delta.get("steal", 0) / total) if total > 0 else None,
        "busy_fraction": (1 - (delta.get("idle", 0) + delta.get("iowait", 0)) / total)
        if total > 0 else None,
        "seconds": after["time"] - before["time"],
    }
