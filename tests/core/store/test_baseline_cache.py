"""The baseline cache: an entry comes back only under its exact key and only when every file of it reads."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from agnews_core.modeling.metrics import compute_metrics
from agnews_core.store.baseline_cache import BaselineCache, CachedBaseline, key_digest

KEY = {"baseline": "tfidf", "seed": 7, "train": {"rows": 3, "sha256": "ab"}}
FRAME = pd.DataFrame({"text": ["a", "b", "c"], "label": [0, 1, 2], "predicted": [0, 1, 1]})


def _entry(frame: pd.DataFrame | None = FRAME) -> CachedBaseline:
    return CachedBaseline(compute_metrics([0, 1, 2], [0, 1, 1]), "20260101-000000-abcdef", frame)


def test_an_entry_comes_back_with_its_metrics_sweep_and_predictions(tmp_path) -> None:
    cache = BaselineCache(tmp_path)
    assert cache.load(KEY) is None
    cache.save(KEY, _entry())
    back = cache.load(KEY)
    assert back.metrics == _entry().metrics and back.sweep_id == "20260101-000000-abcdef"
    pd.testing.assert_frame_equal(back.predictions, FRAME)
    assert cache.entry_file(KEY).parent == tmp_path / "cache" / "baselines"
    assert sorted(p.suffix for p in cache.folder.iterdir()) == [".json", ".parquet"]  # no pickle, no temp file


def test_an_entry_without_predictions_writes_only_its_json(tmp_path) -> None:
    cache = BaselineCache(tmp_path)
    cache.save(KEY, _entry(None))
    assert cache.load(KEY).predictions is None
    assert [p.suffix for p in cache.folder.iterdir()] == [".json"]


@pytest.mark.parametrize("changed", [{"seed": 8}, {"train": {"rows": 3, "sha256": "ac"}}, {"baseline": "untrained"},
                                     {"extra": None}])
def test_any_other_key_misses(tmp_path, changed: dict) -> None:
    cache = BaselineCache(tmp_path)
    cache.save(KEY, _entry())
    assert cache.load({**KEY, **changed}) is None
    assert key_digest({**KEY, **changed}) != key_digest(KEY)


def test_key_order_does_not_matter(tmp_path) -> None:
    cache = BaselineCache(tmp_path)
    cache.save(KEY, _entry())
    assert cache.load(dict(reversed(KEY.items()))) is not None


@pytest.mark.parametrize("damage", ["truncated json", "json list", "other key inside", "old version", "bad metrics",
                                    "truncated parquet", "missing parquet", "fewer rows"])
def test_a_damaged_entry_reads_as_a_miss(tmp_path, damage: str) -> None:
    cache = BaselineCache(tmp_path)
    cache.save(KEY, _entry())
    path = cache.entry_file(KEY)
    data = json.loads(path.read_text())
    parquet = path.with_suffix(".parquet")
    if damage == "truncated json":
        path.write_text(path.read_text()[:40])
    elif damage == "json list":
        path.write_text("[1, 2]")
    elif damage == "other key inside":
        path.write_text(json.dumps({**data, "key": {**KEY, "seed": 9}}))
    elif damage == "old version":
        path.write_text(json.dumps({**data, "version": 0}))
    elif damage == "bad metrics":
        path.write_text(json.dumps({**data, "metrics": {"accuracy": "x"}}))
    elif damage == "truncated parquet":
        parquet.write_bytes(parquet.read_bytes()[:30])
    elif damage == "missing parquet":
        parquet.unlink()
    else:
        FRAME.head(2).to_parquet(parquet, index=False)
    assert cache.load(KEY) is None
    cache.save(KEY, _entry())  # recomputed scores overwrite the damaged entry
    assert cache.load(KEY) is not None
