"""A record is one benchmark run: the untouched Google Benchmark JSON plus its context.

Exported as a JSON file (format "goro-record", version 1) so CI jobs can pass records as
artefacts; `gbench_runs` keeps every process invocation's document exactly as the binary wrote it.
"""
from __future__ import annotations

import datetime
import json
import uuid as uuid_module
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import gbjson
from .context import rehash_machine_id

RECORD_FORMAT = "goro-record"
RECORD_VERSION = 1


@dataclass
class Record:
    """Record is one stored run (see the module docstring)."""
    gbench_runs: list[dict[str, Any]]
    context: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    kind: str = "bench"
    uuid: str = field(default_factory=lambda: uuid_module.uuid4().hex)
    created: str = field(default_factory=lambda: datetime.datetime.now(
        datetime.timezone.utc).isoformat(timespec="seconds"))
    id: int | None = None

    @property
    def machine_id(self) -> str:
        """machine_id is the stable id of the host the record was measured on."""
        return str(self.context.get("machine", {}).get("machine_id", "unknown"))

    @property
    def git_sha(self) -> str:
        """git_sha is the measured commit ('unknown' outside git)."""
        return str(self.context.get("git", {}).get("sha", "unknown"))

    def samples(self) -> dict[str, gbjson.Samples]:
        """samples() pools every run's raw repetitions by benchmark."""
        return gbjson.samples(self.gbench_runs)

    def to_json(self) -> dict[str, Any]:
        """to_json() is the export form."""
        return {"format": RECORD_FORMAT, "version": RECORD_VERSION, "uuid": self.uuid,
                "created": self.created, "label": self.label, "kind": self.kind,
                "context": self.context, "gbench_runs": self.gbench_runs}

    def describe(self) -> str:
        """describe() is a one-line human summary."""
        ident = f"#{self.id}" if self.id is not None else self.uuid[:8]
        dirty = "+dirty" if self.context.get("git", {}).get("dirty") else ""
        label = f" '{self.label}'" if self.label else ""
        return f"{ident} {self.created} {self.git_sha[:10]}{dirty}{label} ({self.kind})"


def from_json(document: Any, origin: str) -> Record:
    """from_json() validates an exported record (or accepts a bare Google Benchmark file,
    wrapping it with an empty context) and returns it."""
    if isinstance(document, dict) and document.get("format") == RECORD_FORMAT:
        if document.get("version") != RECORD_VERSION:
            raise gbjson.FormatError(f"{origin}: record version {document.get('version')} "
                                     f"is not supported (expected {RECORD_VERSION})")
        runs = document.get("gbench_runs")
        if not isinstance(runs, list) or not runs:
            raise gbjson.FormatError(f"{origin}: record has no gbench_runs")
        for index, run in enumerate(runs):
            gbjson.validate(run, f"{origin}: gbench_runs[{index}]")
        context = document.get("context") or {}
        if isinstance(context.get("machine"), dict):
            rehash_machine_id(context["machine"])  # an export made before machine_id lost the kernel
        return Record(gbench_runs=runs, context=context,
                      label=str(document.get("label", "")), kind=str(document.get("kind", "bench")),
                      uuid=str(document.get("uuid") or uuid_module.uuid4().hex),
                      created=str(document.get("created", "")))
    gbjson.validate(document, origin)
    return Record(gbench_runs=[document], context={}, label=Path(origin).name, kind="imported")


def load_file(path: Path) -> Record:
    """load_file() reads a record or a bare Google Benchmark JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise gbjson.FormatError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise gbjson.FormatError(f"{path}: not UTF-8 text") from None
    if not text.strip():
        raise gbjson.FormatError(f"{path}: empty file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise gbjson.FormatError(f"{path}: not JSON ({error})") from None
    return from_json(document, str(path))


def save_file(record: Record, path: Path) -> None:
    """save_file() writes the export form atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(record.to_json(), indent=1) + "\n", encoding="utf-8")
    temporary.replace(path)
