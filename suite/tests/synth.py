"""Synthetic Google Benchmark JSON (1.7.1 and newer schemas) for the tests."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

NAMES: tuple[str, ...] = (
    "chan_pingpong/goro/go/workers:1", "chan_pingpong/goro/steal/workers:1",
    "chan_pingpong/goro/fifo/workers:1", "chan_pingpong/thread/workers:1",
    "chan_pingpong/fiber/shared_work/workers:1", "chan_pingpong/go/workers:1",
    "chan_pingpong/goro/go/workers:2", "chan_pingpong/thread/workers:2",
    "chan_prodcons/cap:128/goro/steal/workers:1", "chan_prodcons/cap:128/thread/workers:1",
    "chan_prodcons/cap:128/goro/go/workers:2", "chan_prodcons/cap:128/go/workers:2",
    "spawn_join/goro/fifo/workers:1", "spawn_join/fiber/round_robin/workers:1",
)
BASE_NS: dict[str, float] = {n: 100.0 * (1 + i) for i, n in enumerate(NAMES)}


def document(names: Sequence[str] = NAMES, repetitions: int = 10, noise: float = 0.01,
             seed: int = 1, scale: dict[str, float] | None = None, schema: str = "1.7.1",
             time_unit: str = "ns", errors: dict[str, str] | None = None) -> dict[str, Any]:
    """document() is a Google Benchmark JSON document with `repetitions` raw rows per benchmark,
    times around BASE_NS × scale with relative Gaussian noise, plus aggregate rows (ignored)."""
    rng = np.random.default_rng(seed)
    unit = {"ns": 1.0, "us": 1e-3, "ms": 1e-6, "s": 1e-9}[time_unit]
    rows: list[dict[str, Any]] = []
    for family, name in enumerate(names):
        run_name = name + "/real_time"
        if errors and name in errors:
            rows.append({"name": run_name, "run_name": run_name, "run_type": "iteration",
                         "repetitions": repetitions, "repetition_index": 0, "threads": 1,
                         "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": time_unit,
                         "error_occurred": True, "error_message": errors[name]})
            continue
        ns = BASE_NS.get(name, 100.0) * (scale or {}).get(name, 1.0)
        values = ns * (1 + noise * rng.standard_normal(repetitions))
        for index, value in enumerate(values):
            row: dict[str, Any] = {"name": run_name, "run_name": run_name, "run_type": "iteration",
                                   "repetitions": repetitions, "repetition_index": index,
                                   "threads": 1, "iterations": 10000,
                                   "real_time": value * unit, "cpu_time": value * unit * 0.9,
                                   "time_unit": time_unit, "items_per_second": 1e9 / value,
                                   "context_switches_per_op": 2.0, "steals_per_op": 0.1,
                                   "parks_per_op": 1.0}
            if schema != "1.7.1":
                row["family_index"] = family
                row["per_family_instance_index"] = 0
            rows.append(row)
        for aggregate in ("mean", "median", "stddev"):
            rows.append({"name": f"{run_name}_{aggregate}", "run_name": run_name,
                         "run_type": "aggregate", "aggregate_name": aggregate,
                         "repetitions": repetitions, "threads": 1, "iterations": repetitions,
                         "real_time": float(np.mean(values)) * unit, "cpu_time": 1.0,
                         "time_unit": time_unit})
    return {"context": {"date": "2024-01-01T00:00:00+00:00", "host_name": "synthetic",
                        "executable": "synthetic", "num_cpus": 2, "mhz_per_cpu": 2000,
                        "library_build_type": "release"}, "benchmarks": rows}


def write(path: Path, doc: dict[str, Any]) -> Path:
    """write() saves a document and returns its path."""
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
