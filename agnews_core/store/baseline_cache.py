"""Baseline scores kept across sweeps: one JSON entry per key (+ a parquet of its predictions), read back only
when the key matches exactly and every file reads cleanly; anything else is a miss, and the caller recomputes."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from agnews_core.store.artifact_store import atomic_write_json, atomic_write_parquet, read_json
from agnews_core.store.layout import ArtifactPaths
from agnews_core.store.records import EvalMetrics

logger = logging.getLogger(__name__)

ENTRY_VERSION = 1  # bump when an entry's layout changes: older entries then read as misses


@dataclass(frozen=True)
class CachedBaseline:
    """A baseline's test metrics, the sweep that scored them and its per-row predictions (None: it saves none)."""

    metrics: EvalMetrics
    sweep_id: str
    predictions: pd.DataFrame | None = None


def key_digest(key: Mapping[str, Any]) -> str:
    """sha256 of the key's canonical JSON: the entry's file name."""
    return hashlib.sha256(json.dumps(key, sort_keys=True, allow_nan=False).encode()).hexdigest()


class BaselineCache:
    """Entries under artifacts/cache/baselines/, one per key."""

    def __init__(self, root: Path) -> None:
        self.folder = ArtifactPaths(Path(root)).baseline_cache_dir

    def entry_file(self, key: Mapping[str, Any]) -> Path:
        return self.folder / f"{key_digest(key)}.json"

    def load(self, key: Mapping[str, Any]) -> CachedBaseline | None:
        """The entry stored under key; None when there is none or it is damaged (logged)."""
        path = self.entry_file(key)
        if not path.is_file():
            return None
        try:
            data = read_json(path)
            if data.get("version") != ENTRY_VERSION or data.get("key") != json.loads(json.dumps(key)):
                raise ValueError("its key or version does not match")
            predictions = None
            if data.get("predictions_rows") is not None:
                predictions = pd.read_parquet(path.with_suffix(".parquet"))
                if len(predictions) != data["predictions_rows"]:
                    raise ValueError(f"{len(predictions)} prediction rows, {data['predictions_rows']} recorded")
            return CachedBaseline(EvalMetrics.from_dict(data["metrics"]), str(data["sweep_id"]), predictions)
        except Exception as exc:  # noqa: BLE001 - JSON, pyarrow and record errors alike: recompute
            logger.warning("ignoring the damaged baseline cache entry %s: %s", path, exc)
            return None

    def save(self, key: Mapping[str, Any], entry: CachedBaseline) -> None:
        """Store entry under key: the predictions first, the JSON that points at them last (both atomic)."""
        path = self.entry_file(key)
        if entry.predictions is not None:
            atomic_write_parquet(path.with_suffix(".parquet"), entry.predictions)
        atomic_write_json(path, {
            "version": ENTRY_VERSION, "key": dict(key), "sweep_id": entry.sweep_id,
            "saved_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "metrics": entry.metrics.to_dict(),
            "predictions_rows": None if entry.predictions is None else len(entry.predictions),
        })
