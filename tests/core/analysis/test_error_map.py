"""The error map of a finished tiny run: one 2-D point per predictions row, cached beside the run, reused, and
computed from the kept model for runs written before embeddings were stored."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from agnews_core.analysis import error_map as map_module
from agnews_core.analysis.error_map import MapUnavailable, error_map, layout_2d, map_is_cached
from agnews_core.store.artifact_store import ArtifactStore


@pytest.fixture
def copied(finished_sweep, tmp_path: Path):
    """(store, sweep) of a writable copy of the shared finished tiny sweep."""
    source, record = finished_sweep
    shutil.copytree(source.root, tmp_path / "artifacts")
    return ArtifactStore(tmp_path / "artifacts"), record


@pytest.fixture(scope="module")
def known_layouts() -> dict[bytes, np.ndarray]:
    """Layouts already made in this module, by their embeddings: each real UMAP fit happens once."""
    return {}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, known_layouts) -> list[int]:
    """The row counts of this test's layout_2d calls (the same embeddings give the layout made before)."""
    real, calls = map_module.layout_2d, []

    def layout(embeddings: np.ndarray, seed: int = 0) -> np.ndarray:
        calls.append(len(embeddings))
        key = np.asarray(embeddings).tobytes() + bytes([seed])
        if key not in known_layouts:
            known_layouts[key] = real(embeddings, seed)
        return known_layouts[key]

    monkeypatch.setattr(map_module, "layout_2d", layout)
    return calls


def test_the_map_has_one_point_per_row_and_is_cached_then_reused(copied, counted) -> None:
    store, record = copied
    run_id = record.best_run_id
    made = error_map(store, record, run_id)
    predictions = store.load_predictions(record.sweep_id, run_id)
    assert len(made.rows) == len(predictions) == 220 and not made.computed_embeddings
    assert np.isfinite(made.rows[["x", "y"]].to_numpy()).all() and made.rows[["x", "y"]].std().min() > 0
    assert (made.rows["text"] == predictions["text"]).all()
    assert made.rows["correct"].tolist() == (predictions["label"] == predictions["predicted"]).tolist()
    assert map_is_cached(store, record.sweep_id, run_id) and counted == [220]
    again = error_map(store, record, run_id)
    assert counted == [220]  # read back from map.parquet, not laid out again
    np.testing.assert_array_equal(again.rows[["x", "y"]].to_numpy(), made.rows[["x", "y"]].to_numpy())


def test_rewritten_predictions_make_the_map_stale(copied, counted) -> None:
    store, record = copied
    run_id = record.best_run_id
    error_map(store, record, run_id)
    frame = store.load_predictions(record.sweep_id, run_id)
    store.save_predictions(record.sweep_id, run_id, frame.assign(predicted=frame["label"]))
    assert not map_is_cached(store, record.sweep_id, run_id)
    assert error_map(store, record, run_id).rows["correct"].all() and counted == [220, 220]


def test_a_run_without_embeddings_gets_them_from_its_kept_model(copied, counted) -> None:
    store, record = copied
    run_id = record.best_run_id
    stored = store.load_embeddings(record.sweep_id, run_id)
    store.paths.embeddings_file(record.sweep_id, run_id).unlink()
    made = error_map(store, record, run_id)
    assert made.computed_embeddings and len(made.rows) == 220
    recomputed = store.load_embeddings(record.sweep_id, run_id)  # kept for next time
    assert recomputed.dtype == np.float16 and recomputed.shape == stored.shape
    np.testing.assert_allclose(recomputed.astype(np.float32), stored.astype(np.float32), atol=2e-2)


def test_a_run_with_neither_embeddings_nor_weights_has_no_map(copied) -> None:
    store, record = copied
    run_id = record.run_ids[0]
    store.paths.embeddings_file(record.sweep_id, run_id).unlink()
    store.delete_model(record.sweep_id, run_id)
    with pytest.raises(MapUnavailable, match="needs a run with embeddings or kept weights"):
        error_map(store, record, run_id)
    assert not store.paths.map_file(record.sweep_id, run_id).exists()


def test_a_damaged_map_file_is_laid_out_again(copied, counted) -> None:
    store, record = copied
    run_id = record.best_run_id
    error_map(store, record, run_id)
    store.paths.map_file(record.sweep_id, run_id).write_bytes(b"not parquet")
    assert len(error_map(store, record, run_id).rows) == 220
    assert counted == [220, 220]


def test_tiny_inputs_still_get_distinct_points() -> None:
    points = layout_2d(np.eye(3, dtype=np.float16))
    assert points.shape == (3, 2) and len({tuple(p) for p in points}) == 3
    assert layout_2d(np.zeros((0, 8), dtype=np.float16)).shape == (0, 2)


def test_tsne_uses_two_threads_only_for_a_large_map_on_idle_cores(monkeypatch) -> None:
    from agnews_core.analysis import error_map as module

    monkeypatch.setattr(module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(module.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert module.tsne_threads(220) == 1 and module.tsne_threads(7_600) == 2
    monkeypatch.setattr(module.os, "getloadavg", lambda: (1.5, 1.0, 1.0))  # another process is busy
    assert module.tsne_threads(7_600) == 1
    monkeypatch.setattr(module.os, "cpu_count", lambda: 1)
    monkeypatch.setattr(module.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert module.tsne_threads(7_600) == 1
