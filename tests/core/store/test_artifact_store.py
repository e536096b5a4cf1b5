"""The artifacts folder: atomic writes, safe ids, paths inside the root, and reading around broken entries."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore, atomic_write_json, read_json
from agnews_core.store.layout import validate_id
from agnews_core.store.records import LossPoint, RunRecord, SweepRecord


def _sweep(sweep_id: str, created_at: str = "2026-01-01T00:00:00Z") -> SweepRecord:
    config = SweepConfig(learning_rates=(1e-3, 3e-4), model="tiny", data="sample")
    return SweepRecord(sweep_id, config, created_at=created_at, run_ids=("run01-lr1e-3", "run02-lr3e-4"))


def _save_good_sweep(store: ArtifactStore, sweep_id: str, created_at: str = "2026-01-01T00:00:00Z") -> SweepRecord:
    sweep = _sweep(sweep_id, created_at)
    store.save_sweep(sweep)
    for index, (run_id, lr) in enumerate(zip(sweep.run_ids, sweep.config.learning_rates, strict=True)):
        store.save_run(sweep_id, RunRecord(run_id, index, lr, train_loss=(LossPoint(1, 0.1, 1.4),)))
    return sweep


def test_atomic_write_json_writes_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "data.json"
    atomic_write_json(path, {"a": [1, 2]})
    atomic_write_json(path, {"a": [3]})
    assert json.loads(path.read_text()) == {"a": [3]}
    assert [p.name for p in path.parent.iterdir()] == ["data.json"]


@pytest.mark.parametrize("bad", [{"x": object()}, {"x": float("nan")}, {"x": 1, "y": {1, 2}}])
def test_failed_write_keeps_the_old_file(tmp_path: Path, bad: dict) -> None:
    path = tmp_path / "data.json"
    atomic_write_json(path, {"version": 1})
    with pytest.raises((TypeError, ValueError)):
        atomic_write_json(path, bad)
    assert json.loads(path.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]


@pytest.mark.parametrize("good", ["20260101-120000-a1b2c3", "run01-lr5e-5", "run02-lr2.5e-5", "A_b.c-d", "x"])
def test_validate_id_accepts_safe_names(good: str) -> None:
    assert validate_id(good) == good


@pytest.mark.parametrize("bad", ["../x", "/etc", "a/b", "a\\b", "..", ".", ".hidden", "a..b", "", "a b", "x\n",
                                 "x\ny", "x\x00", "é", "-x", "x" * 129, None, 5])
def test_validate_id_rejects_unsafe_names(bad: object) -> None:
    with pytest.raises(ValueError, match="sweep id .* is not valid"):
        validate_id(bad, "sweep id")  # type: ignore[arg-type]


def test_store_paths_stay_inside_the_root(store: ArtifactStore) -> None:
    assert store.sweep_dir("s1") == store.root / "sweeps" / "s1"
    assert store.run_dir("s1", "r1") == store.root / "sweeps" / "s1" / "runs" / "r1"
    assert store.model_dir("s1", "r1") == store.root / "sweeps" / "s1" / "runs" / "r1" / "model"
    for sweep_id, run_id in [("../x", "r1"), ("/etc", "r1"), ("s1", "../../x"), ("s1", "/etc/passwd"), ("..", "r")]:
        with pytest.raises(ValueError):
            store.run_dir(sweep_id, run_id)


def test_a_symlink_out_of_the_root_is_refused(store: ArtifactStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    store.sweeps_dir.mkdir(parents=True)
    (store.sweeps_dir / "escape").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="outside the artifacts folder"):
        store.sweep_dir("escape")
    with pytest.raises(ValueError):
        store.save_sweep(_sweep("escape"))
    assert list(outside.iterdir()) == []


def test_sweeps_and_runs_round_trip(store: ArtifactStore) -> None:
    sweep = _save_good_sweep(store, "s1")
    assert store.load_sweep("s1") == sweep
    runs, broken = store.load_runs(sweep)
    assert [r.run_id for r in runs] == list(sweep.run_ids) and broken == []
    assert runs[0].train_loss == (LossPoint(1, 0.1, 1.4),)


def test_list_sweeps_is_newest_first(store: ArtifactStore) -> None:
    _save_good_sweep(store, "old", "2026-01-01T00:00:00Z")
    _save_good_sweep(store, "new", "2026-03-01T00:00:00Z")
    sweeps, broken = store.list_sweeps()
    assert [s.sweep_id for s in sweeps] == ["new", "old"] and broken == []


def test_list_sweeps_on_a_missing_root(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "none")
    assert store.list_sweeps() == ([], [])
    assert "does not exist yet" in store.root_problem()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("[]", "corrupt"),
        ("null", "corrupt"),
        ('"a string"', "corrupt"),
        ('{"sweep_id": "bad"}', "corrupt"),
        ('{"sweep_id": "bad", "config": "tiny"}', "corrupt"),
        ('{"sweep_id": "bad", "config": {"learning_rates": []}}', "corrupt"),
        (None, "missing"),
    ],
)
def test_list_sweeps_reports_broken_sweeps_and_keeps_good_ones(store: ArtifactStore, content: str | None,
                                                               problem: str) -> None:
    _save_good_sweep(store, "good")
    folder = store.sweeps_dir / "bad"
    folder.mkdir()
    if content is not None:
        (folder / "sweep.json").write_text(content)
    sweeps, broken = store.list_sweeps()
    assert [s.sweep_id for s in sweeps] == ["good"]
    assert len(broken) == 1 and broken[0].path.endswith("bad")
    assert problem in broken[0].problem
    with pytest.raises(ArtifactError, match=problem):
        store.load_sweep("bad")


@pytest.mark.parametrize("content", ["garbage", "[1, 2]", "{}", '{"run_id": "x", "index": 0}',
                                     '{"run_id": "x", "index": 0, "learning_rate": 1e-3, "train_loss": [[1]]}'])
def test_a_garbage_run_is_reported_and_the_other_runs_load(store: ArtifactStore, content: str) -> None:
    sweep = _save_good_sweep(store, "s1")
    (store.run_dir("s1", sweep.run_ids[1]) / "run.json").write_text(content)
    sweeps, broken_sweeps = store.list_sweeps()
    assert [s.sweep_id for s in sweeps] == ["s1"] and broken_sweeps == []
    runs, broken = store.load_runs(sweeps[0])
    assert [r.run_id for r in runs] == [sweep.run_ids[0]]
    assert len(broken) == 1 and broken[0].path.endswith(sweep.run_ids[1]) and "corrupt" in broken[0].problem


def test_read_json_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="x.json is missing"):
        read_json(tmp_path / "x.json")
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ArtifactError, match="bad.json is corrupt"):
        read_json(tmp_path / "bad.json")


def test_predictions_round_trip_and_corruption(store: ArtifactStore) -> None:
    frame = pd.DataFrame({"split": ["test"], "text": ["a"], "label": [1], "predicted": [2]})
    store.save_predictions("s1", "r1", frame)
    pd.testing.assert_frame_equal(store.load_predictions("s1", "r1"), frame)
    path = store.run_dir("s1", "r1") / "predictions.parquet"
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(ArtifactError, match="predictions.parquet is corrupt"):
        store.load_predictions("s1", "r1")
    with pytest.raises(ArtifactError, match="is missing: this run has no predictions"):
        store.load_predictions("s1", "r2")


def test_embeddings_round_trip_as_float16_and_corruption(store: ArtifactStore) -> None:
    assert not store.has_embeddings("s1", "r1")
    store.save_embeddings("s1", "r1", np.arange(12, dtype=np.float32).reshape(3, 4) / 8)
    loaded = store.load_embeddings("s1", "r1")
    assert store.has_embeddings("s1", "r1") and loaded.dtype == np.float16 and loaded.shape == (3, 4)
    np.testing.assert_array_equal(loaded, np.arange(12).reshape(3, 4) / 8)
    assert [p.name for p in store.run_dir("s1", "r1").iterdir()] == ["embeddings.npy"]  # no temp file left
    path = store.paths.embeddings_file("s1", "r1")
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(ArtifactError, match="embeddings.npy is corrupt"):
        store.load_embeddings("s1", "r1")
    with pytest.raises(ArtifactError, match="is missing: this run did not store embeddings"):
        store.load_embeddings("s1", "r2")


def test_delete_model_and_has_model(store: ArtifactStore) -> None:
    model = store.model_dir("s1", "r1")
    model.mkdir(parents=True)
    assert not store.has_model("s1", "r1")
    (model / "model.safetensors").write_bytes(b"weights")
    assert store.has_model("s1", "r1")
    store.delete_model("s1", "r1")
    assert not model.exists() and not store.has_model("s1", "r1")


def test_default_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AGNEWS_ARTIFACTS", str(tmp_path / "elsewhere"))
    assert ArtifactStore().root == tmp_path / "elsewhere"
    monkeypatch.delenv("AGNEWS_ARTIFACTS")
    repo = Path(__file__).resolve().parents[3]
    assert ArtifactStore().root == repo / "artifacts"
    monkeypatch.chdir(tmp_path)  # the default does not depend on where the command was started
    assert ArtifactStore().root == repo / "artifacts"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_root_problem_on_a_read_only_root(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        assert "read-only" in ArtifactStore(tmp_path).root_problem()
    finally:
        tmp_path.chmod(0o755)
    assert ArtifactStore(tmp_path).root_problem() == ""


def test_a_derived_table_is_read_only_while_newer_than_its_sources(tmp_path) -> None:
    import os

    from agnews_core.store.artifact_store import is_fresh, read_fresh_parquet

    source, derived = tmp_path / "predictions.parquet", tmp_path / "review.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(source)
    assert not is_fresh(derived, [source]) and read_fresh_parquet(derived, [source]) is None  # not made yet
    pd.DataFrame({"b": [2]}).to_parquet(derived)
    os.utime(source, (1, 1))
    assert read_fresh_parquet(derived, [source])["b"].tolist() == [2]
    os.utime(derived, (0, 0))  # the source changed after the table was made
    assert read_fresh_parquet(derived, [source]) is None
    os.utime(derived, (2, 2))
    derived.write_bytes(b"damaged")
    os.utime(derived, (2, 2))
    assert is_fresh(derived, [source]) and read_fresh_parquet(derived, [source]) is None
