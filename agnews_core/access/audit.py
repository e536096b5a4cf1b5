"""The audit log: one JSON line per action a user carried out or was refused, appended and never rewritten."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from filelock import FileLock

from agnews_core.access.identity import Identity

AUDIT_DIR = "audit"
AUDIT_FILE = "audit.jsonl"
LOCK_TIMEOUT_S = 30
_THREAD_LOCK = threading.Lock()


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass(frozen=True)
class AuditEntry:
    """One line of the log."""

    at: str  # ISO 8601, UTC
    who: str
    role: str
    action: str
    target: str
    outcome: Outcome
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {**asdict(self), "outcome": str(self.outcome)}

    @classmethod
    def from_json(cls, data: dict) -> AuditEntry:
        """The entry a to_json dict describes; KeyError/ValueError if it is not one."""
        return cls(**{name: str(data[name]) for name in cls.__dataclass_fields__ if name != "detail"},
                   detail=str(data.get("detail", "")))

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))


@dataclass(frozen=True)
class AuditContents:
    entries: list[AuditEntry]  # oldest first
    unreadable_lines: int


class AuditLog:
    """`<artifacts>/audit/audit.jsonl`; safe for this process's threads and for other processes."""

    def __init__(self, artifacts_root: Path | str) -> None:
        self.path = Path(artifacts_root) / AUDIT_DIR / AUDIT_FILE

    def record(self, actor: Identity, action: str, target: str, outcome: Outcome, detail: str = "") -> AuditEntry:
        """Append one entry (fsynced: a refused or finished action is on disk when this returns)."""
        entry = AuditEntry(at=datetime.now(UTC).isoformat(timespec="seconds"), who=actor.who,
                           role=str(actor.role or ""), action=str(action), target=target, outcome=outcome,
                           detail=detail)
        line = json.dumps(entry.to_json(), ensure_ascii=False).encode("utf-8") + b"\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _THREAD_LOCK, FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S), open(self.path, "ab") as out:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
        return entry

    def read(self) -> AuditContents:
        """Every entry, oldest first; a line a dying writer left half-written is counted, not fatal."""
        if not self.path.is_file():
            return AuditContents([], 0)
        entries, bad = [], 0
        for raw in self.path.read_bytes().splitlines():
            if not raw.strip():
                continue
            try:
                entries.append(AuditEntry.from_json(json.loads(raw)))
            except (ValueError, KeyError, TypeError):
                bad += 1
        return AuditContents(entries, bad)
