"""Registered data sets: versioned, never changed once written, under artifacts/datasets/<id>/.

Each version is a folder `<name>-v<N>` holding train.parquet and test.parquet (text, label id, row) and
manifest.json. A folder is written under a temporary name and renamed into place, so a failure at any point
leaves nothing half-registered. Registering the same file with the same choices again returns the
existing version; a changed file (or other choices) becomes the next version.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from filelock import FileLock

from agnews_core.access.guard import audited
from agnews_core.access.identity import LOCAL_USER, Identity
from agnews_core.access.roles import Action
from agnews_core.data.columns import ColumnMapping
from agnews_core.data.drafts import DataSetError, Draft
from agnews_core.data.health import TEST, TRAIN, HealthReport
from agnews_core.labels import LabelSet

DATASETS_DIR = "datasets"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.json"
SCHEMA_VERSION = 1
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*(?:-[a-z0-9_]+)*$")
_ID = re.compile(r"^(?P<name>.+)-v(?P<version>\d+)$")


@dataclass(frozen=True)
class DatasetManifest:
    """What a registered data set is: its labels, rows, where its rows came from and how."""

    id: str
    name: str
    version: int
    label_names: tuple[str, ...]
    rows: dict[str, int]
    class_rows: dict[str, dict[str, int]]
    columns: ColumnMapping
    source_files: tuple[str, ...]
    sha256: str
    test_rows_from: str
    created: str
    test_share: float
    seed: int
    dropped: dict[str, int] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    created_by: str = ""  # who registered it (email, or 'local'); empty for versions from before sign-in

    @property
    def labels(self) -> LabelSet:
        return LabelSet(self.label_names)

    def describe(self) -> str:
        return (f"data set {self.id} ({self.rows[TRAIN]:,} train / {self.rows[TEST]:,} test rows, "
                f"{len(self.label_names)} classes)")

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["columns"] = self.columns.to_dict()
        data["label_names"] = list(self.label_names)
        data["source_files"] = list(self.source_files)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> DatasetManifest:
        values = dict(data)
        values["columns"] = ColumnMapping.from_dict(values["columns"])
        values["label_names"] = tuple(values["label_names"])
        values["source_files"] = tuple(values["source_files"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


def slug(name: str) -> str:
    """A data set name from anything typed or a file name: 'My Tickets.csv' -> 'my-tickets'."""
    stem = re.sub(r"\.(csv|tsv|tab|txt|jsonl|ndjson|json|parquet|pq)$", "", str(name).strip(), flags=re.I)
    text = re.sub(r"[^a-z0-9_]+", "-", stem.lower()).strip("-")
    return re.sub(r"-v(\d+)$", r"-version\1", text)[:60].strip("-")  # '-vN' is how ids end


RESERVED = ("auto", "hub", "sample")  # data sources of their own, which a data set name would hide


def check_name(name: str) -> str:
    """The name if it can name a data set; DataSetError saying what is allowed."""
    if name in RESERVED:
        raise DataSetError(f"data set name {name!r} is taken by a built-in data source: choose another name")
    if not name or not _NAME.fullmatch(name) or len(name) > 60 or _ID.fullmatch(name):
        raise DataSetError(f"data set name {name!r} is not valid: use lower-case letters, digits, '_' and single "
                           "'-' (up to 60 characters, not ending in -v<number>)")
    return name


class DatasetRegistry:
    """Every registered data set under one artifacts root."""

    def __init__(self, artifacts_root: Path) -> None:
        self.root = Path(artifacts_root)
        self.folder = self.root / DATASETS_DIR

    def manifests(self) -> list[DatasetManifest]:
        """Every registered version, by name then version; unreadable folders are skipped."""
        found = []
        for manifest_file in sorted(self.folder.glob(f"*/{MANIFEST_FILE}")):
            try:
                found.append(DatasetManifest.from_dict(json.loads(manifest_file.read_text())))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(found, key=lambda m: (m.name, m.version))

    def latest(self) -> list[DatasetManifest]:
        """The newest version of each name."""
        newest: dict[str, DatasetManifest] = {}
        for manifest in self.manifests():
            newest[manifest.name] = manifest
        return list(newest.values())

    def find(self, spec: str) -> DatasetManifest | None:
        """A manifest by id ('tickets-v2') or by name (its newest version); None when there is none."""
        versions = self.manifests()
        exact = [m for m in versions if m.id == spec]
        if exact:
            return exact[0]
        named = [m for m in versions if m.name == spec]
        return named[-1] if named else None

    def get(self, spec: str) -> DatasetManifest:
        manifest = self.find(spec)
        if manifest is None:
            known = ", ".join(m.id for m in self.latest()) or "none yet"
            raise DataSetError(f"no data set named {spec!r} (registered: {known})")
        return manifest

    def rows(self, manifest: DatasetManifest, split: str) -> pd.DataFrame:
        """text, label (id) and row of one split."""
        return pd.read_parquet(self.folder / manifest.id / f"{split}.parquet")

    def report(self, manifest: DatasetManifest) -> dict | None:
        """The health report stored at registration (as JSON), or None."""
        path = self.folder / manifest.id / REPORT_FILE
        return json.loads(path.read_text()) if path.is_file() else None

    def register(self, draft: Draft, drop: bool, actor: Identity = LOCAL_USER) -> tuple[DatasetManifest, bool]:
        """Store a draft (problems dropped when asked) as a new version for actor; (manifest, False) if it is
        already stored. AccessRefused (logged) when actor's role may not register data sets."""
        with audited(actor, Action.REGISTER_DATASET, draft.options.name, self.root) as step:
            manifest, created = self._register(draft, drop, actor.who)
            step.target, step.detail = manifest.id, "new version" if created else "already registered"
        return manifest, created

    def _register(self, draft: Draft, drop: bool, who: str) -> tuple[DatasetManifest, bool]:
        name = check_name(draft.options.name)
        ready = draft.ready(drop)
        self.folder.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.folder / ".lock")):
            same = [m for m in self.manifests() if m.name == name]
            for manifest in same:
                if (manifest.sha256, manifest.columns, manifest.test_share, manifest.seed) == (
                        draft.sha256, draft.options.mapping, draft.options.test_share, draft.options.seed) \
                        and manifest.rows == ready.report.rows:
                    return manifest, False
            version = max((m.version for m in same), default=0) + 1
            manifest = replace(_manifest(ready, name, version, draft.report), created_by=who)
            self._write(manifest, ready)
        return manifest, True

    def remove(self, manifest: DatasetManifest, actor: Identity = LOCAL_USER) -> None:
        """Delete one version's folder for actor (callers check first that nothing uses it); AccessRefused
        (logged) when actor's role may not remove data sets."""
        with audited(actor, Action.REMOVE_DATASET, manifest.id, self.root):
            target = self.folder / manifest.id
            if target.is_dir():
                trash = self.folder / f".removing-{manifest.id}"
                target.rename(trash)  # one rename: the data set is gone for readers at once
                shutil.rmtree(trash, ignore_errors=True)

    def _write(self, manifest: DatasetManifest, ready: Draft) -> None:
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{manifest.id}-", dir=self.folder))
        try:
            ids = manifest.labels.label2id
            for split in (TRAIN, TEST):
                rows = ready.frame[ready.frame["split"] == split]
                table = pd.DataFrame({"text": rows["text"].astype(str).to_numpy(),
                                      "label": rows["label"].map(ids).astype("int64").to_numpy(),
                                      "row": rows["row"].astype("int64").to_numpy()})
                table.to_parquet(staging / f"{split}.parquet", index=False)
            (staging / REPORT_FILE).write_text(json.dumps(ready.report.to_dict(), indent=1, default=str))
            (staging / MANIFEST_FILE).write_text(json.dumps(manifest.to_dict(), indent=1))
            staging.rename(self.folder / manifest.id)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _manifest(ready: Draft, name: str, version: int, before: HealthReport) -> DatasetManifest:
    names = ready.label_names
    present = set(ready.frame["label"].dropna())
    kept_names = tuple(n for n in names if n in present)  # a class whose only rows were dropped is gone
    dropped = {str(p.kind): p.count for p in before.problems if p.droppable and p.count}
    return DatasetManifest(
        id=f"{name}-v{version}", name=name, version=version, label_names=kept_names, rows=ready.report.rows,
        class_rows={split: {n: ready.report.class_rows[split].get(n, 0) for n in kept_names} for split in (TRAIN, TEST)},
        columns=ready.options.mapping, source_files=ready.source_files, sha256=ready.sha256,
        test_rows_from=ready.test_rows_from, created=datetime.now(UTC).isoformat(timespec="seconds"),
        test_share=ready.options.test_share, seed=ready.options.seed, dropped=dropped)
