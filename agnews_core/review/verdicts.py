"""The verdict store: analysts' judgements on gold labels, one append-only file per data source.

Every reviewer keeps one current verdict per row (the empty name is one reviewer, shown as "anonymous"); a
policy (agnews_core.review.policies) turns a row's verdicts into the one a sweep applies. Lines written before
reviewers counted carry no "scope": such a record replaced the row's verdict whoever gave it, and such a delete
cleared the row, so they are read that way.

Verdicts cannot be re-created, so every change is one JSON line appended and fsynced under a lock that
holds across threads and processes; a write killed half-way leaves a torn last line that reading skips,
and the next append starts on a fresh line. Bulk changes (an import) rewrite the file atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from filelock import FileLock

from agnews_core.access.guard import audited
from agnews_core.access.identity import LOCAL_USER, Identity
from agnews_core.access.roles import Action, Role
from agnews_core.config.sweep_config import CorrectionPolicy
from agnews_core.labels import MAX_CLASSES
from agnews_core.text_keys import text_key as key_of

logger = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 30.0  # an append takes milliseconds; 30 s without the lock means a stuck holder, not a queue
_RECORD, _DELETE = "record", "delete"
_SCOPE = {"scope": "reviewer"}  # marks a line that concerns its reviewer's verdict only
ANONYMOUS = "anonymous"  # how the empty reviewer name is shown


class VerdictKind(StrEnum):
    """What the analyst decided about a row's gold label."""

    RELABEL = "relabel"  # the gold label is wrong; new_label is right
    REMOVE = "remove"  # ambiguous or not news: drop the row from training
    KEEP = "keep"  # the gold label is right, the model is wrong


def _label_id(value: Any, what: str) -> int:
    """value as a label id (ints only, numpy ints included; the data set's labels are checked where they are
    known: the verdict panel offers only them, the CSV import checks them); ValueError otherwise."""
    if isinstance(value, bool) or not hasattr(value, "__index__") or int(value) not in range(MAX_CLASSES):
        raise ValueError(f"{what} must be a label id 0..{MAX_CLASSES - 1}, got {value!r}")
    return int(value)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def attributed(verdict: Verdict, actor: Identity) -> Verdict:
    """The verdict as actor gives it: a signed-in user's verdicts carry their identity, whatever name was typed
    (an admin importing others' verdicts keeps the names in the file); the local user's are left as they are."""
    if not actor.signed_in or actor.role is Role.ADMIN and verdict.reviewer:
        return verdict
    return replace(verdict, reviewer=actor.who)


def reviewer_name(reviewer: str) -> str:
    """A reviewer as shown: the name, or 'anonymous' for the empty one."""
    return reviewer or ANONYMOUS


@dataclass(frozen=True)
class Verdict:
    """One analyst's verdict on one text; text_key is derived from text."""

    text: str
    label: int  # the gold label that was judged
    kind: VerdictKind
    new_label: int | None = None  # only for relabel
    note: str = ""
    reviewer: str = ""
    recorded_at: str = field(default_factory=_now)  # ISO 8601, UTC
    text_key: str = ""

    def __post_init__(self) -> None:
        if not str(self.text).strip():
            raise ValueError("a verdict needs the row's text")
        try:
            object.__setattr__(self, "kind", VerdictKind(self.kind))
        except ValueError:
            raise ValueError(f"verdict kind must be one of {', '.join(VerdictKind)}, got {self.kind!r}") from None
        object.__setattr__(self, "label", _label_id(self.label, "gold label"))
        object.__setattr__(self, "reviewer", str(self.reviewer).strip())  # ' ana' and 'ana' are one reviewer
        if self.kind is VerdictKind.RELABEL:
            object.__setattr__(self, "new_label", _label_id(self.new_label, "a relabel verdict's new label"))
            if self.new_label == self.label:
                raise ValueError("the new label is the gold label: record 'keep' instead")
        elif self.new_label is not None:
            raise ValueError(f"only a relabel verdict has a new label; {self.kind} got {self.new_label!r}")
        expected = key_of(self.text)
        if self.text_key and self.text_key != expected:
            raise ValueError(f"text_key {self.text_key!r} does not match the text (expected {expected!r})")
        object.__setattr__(self, "text_key", expected)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (kind as its string)."""
        return {**asdict(self), "kind": str(self.kind)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        """The verdict a to_json dict describes; ValueError/TypeError/KeyError if it is not one."""
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


@dataclass(frozen=True)
class StoreContents:
    """Every reviewer's current verdict per text_key, and how many lines could not be read (a torn last write)."""

    rows: dict[str, list[Verdict]]  # text_key -> one verdict per reviewer, in the order they were recorded
    unreadable_lines: int

    @property
    def verdicts(self) -> dict[str, Verdict]:
        """The latest verdict per text_key, whoever gave it."""
        return {key: verdicts[-1] for key, verdicts in self.rows.items()}

    def all(self) -> list[Verdict]:
        """Every current verdict of every reviewer, newest first."""
        return sorted((v for verdicts in self.rows.values() for v in verdicts), key=lambda v: v.recorded_at,
                      reverse=True)


def source_slug(source: str) -> str:
    """A file-safe name for a data source: 'sample' stays 'sample'; a folder gets its name plus a path hash."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", str(source).lower()).strip("-")
    if cleaned == str(source) and cleaned:
        return cleaned[:60]
    name = re.sub(r"[^a-z0-9]+", "-", Path(str(source)).name.lower()).strip("-") or "source"
    return f"{name[:40]}-{hashlib.sha256(str(source).encode('utf-8')).hexdigest()[:8]}"


_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


class VerdictStore:
    """Verdicts of one data source under <root>/verdicts/<slug>.jsonl; safe for threads and processes.

    source is the resolved data source ('sample', 'hub' or a folder path), never 'auto', which names no data.
    """

    def __init__(self, root: Path | str, source: str) -> None:
        if source == "auto":
            raise ValueError("resolve the data source 'auto' to 'hub' or 'sample' before opening its verdicts")
        self.root = Path(root)
        self.source = source
        self.path = self.root / "verdicts" / f"{source_slug(source)}.jsonl"
        self._file_lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S)
        with _THREAD_LOCKS_GUARD:
            self._thread_lock = _THREAD_LOCKS.setdefault(self.path.resolve(), threading.Lock())

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # The thread lock orders this process's threads; the file lock orders processes.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, self._file_lock:
            yield

    def record(self, verdict: Verdict, actor: Identity = LOCAL_USER) -> Verdict:
        """Store verdict as actor gives it (see attributed); it replaces its reviewer's earlier verdict on the same
        text, and no one else's. AccessRefused (logged) when actor's role may not record verdicts."""
        verdict = attributed(verdict, actor)
        with audited(actor, Action.RECORD_VERDICT, f"{self.source} {verdict.text_key}", self.root) as step:
            with self._locked():
                self._append({"op": _RECORD, **_SCOPE, **verdict.to_json()})
            step.detail = f"{verdict.kind} label {verdict.label}" + (
                f" -> {verdict.new_label}" if verdict.new_label is not None else "")
        return verdict

    def delete(self, text_key: str, reviewer: str | None = None, actor: Identity = LOCAL_USER) -> bool:
        """Forget reviewer's verdict on text_key (reviewer None: every reviewer's); False when there was none.

        A signed-in user clears their own verdict; clearing anyone else's (or everyone's) is for an admin.
        """
        own = reviewer is not None and (not actor.signed_in or reviewer.strip() == actor.who)
        action = Action.RECORD_VERDICT if own else Action.DELETE_ANY_VERDICT
        with audited(actor, action, f"{self.source} {text_key}", self.root) as step:
            step.detail = "cleared"
            return self._delete(text_key, reviewer)

    def _delete(self, text_key: str, reviewer: str | None) -> bool:
        with self._locked():
            found = self._read().rows.get(text_key, [])
            if not any(reviewer is None or v.reviewer == reviewer.strip() for v in found):
                return False
            scope = {} if reviewer is None else {**_SCOPE, "reviewer": reviewer.strip()}
            self._append({"op": _DELETE, **scope, "text_key": text_key, "recorded_at": _now()})
        return True

    def read(self) -> StoreContents:
        """Every reviewer's current verdict per text_key (later lines win), skipping unreadable lines."""
        if not self.path.exists():
            return StoreContents({}, 0)  # a reader creates no folder and no lock file
        try:
            with self._locked():
                return self._read()
        except OSError:  # a read-only artifacts folder: no lock file, and no writer either
            return self._read()

    def by_row(self) -> dict[str, list[Verdict]]:
        """text_key -> every reviewer's current verdict on it, in the order they were recorded."""
        return self.read().rows

    def verdicts(self, policy: CorrectionPolicy | str = CorrectionPolicy.LATEST) -> dict[str, Verdict]:
        """text_key -> the one verdict policy resolves it to (latest, the default: the last one recorded).

        Rows whose reviewers come to no verdict under policy (a tie, a disagreement) are left out.
        """
        from agnews_core.review.policies import resolve_rows

        return resolve_rows(self.by_row(), policy)

    def list(self) -> list[Verdict]:
        """Every current verdict of every reviewer, newest first."""
        return self.read().all()

    def get(self, text_key: str, reviewer: str | None = None) -> Verdict | None:
        """reviewer's current verdict on text_key (reviewer None: the latest of anyone's), if any."""
        found = self.by_row().get(text_key, [])
        if reviewer is None:
            return found[-1] if found else None
        return next((v for v in found if v.reviewer == reviewer.strip()), None)

    def record_all(self, verdicts: Iterable[Verdict], actor: Identity = LOCAL_USER) -> int:
        """Store many verdicts at once as actor gives them, each replacing its reviewer's on its text: all of them
        or, if the process dies, none (atomic rewrite). AccessRefused (logged) when actor may not import."""
        new = [attributed(v, actor) for v in verdicts]
        with audited(actor, Action.IMPORT_VERDICTS, self.source, self.root) as step:
            with self._locked():
                rows = {key: {v.reviewer: v for v in found} for key, found in self._read().rows.items()}
                for verdict in new:
                    _put(rows.setdefault(verdict.text_key, {}), verdict)
                self._rewrite(v for row in rows.values() for v in row.values())
            step.detail = f"{len(new)} verdicts"
        return len(new)

    def _append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
        created = not self.path.exists()
        with open(self.path, "a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell():
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":  # a writer died mid-line: keep its fragment on a line of its own
                    line = b"\n" + line
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        if created:
            _fsync_dir(self.path.parent)

    def _rewrite(self, verdicts: Iterable[Verdict]) -> None:
        lines = [json.dumps({"op": _RECORD, **_SCOPE, **v.to_json()}, ensure_ascii=False) + "\n" for v in verdicts]
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.writelines(lines)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.path.parent)

    def _read(self) -> StoreContents:
        if not self.path.exists():
            return StoreContents({}, 0)
        current: dict[str, dict[str, Verdict]] = {}  # text_key -> reviewer -> verdict, in recording order
        unreadable = 0
        for number, raw in enumerate(self.path.read_bytes().split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
                scoped = entry.get("scope") == _SCOPE["scope"]
                if entry.get("op") == _DELETE:
                    key = str(entry["text_key"])
                    if scoped and key in current:
                        current[key].pop(str(entry["reviewer"]).strip(), None)
                    if not scoped or not current.get(key):
                        current.pop(key, None)
                else:
                    verdict = Verdict.from_json(entry)
                    if not scoped:  # written before reviewers counted: it replaced the row's verdict
                        current.pop(verdict.text_key, None)
                    _put(current.setdefault(verdict.text_key, {}), verdict)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                unreadable += 1
                logger.warning("skipped unreadable line %d of %s (%s)", number, self.path, exc)
        return StoreContents({key: list(row.values()) for key, row in current.items()}, unreadable)


def _put(row: dict[str, Verdict], verdict: Verdict) -> None:
    """verdict as its reviewer's on row, moved last: a row's verdicts stay in the order they were recorded."""
    row.pop(verdict.reviewer, None)
    row[verdict.reviewer] = verdict


def _fsync_dir(folder: Path) -> None:
    """Make a new or renamed file's directory entry durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
