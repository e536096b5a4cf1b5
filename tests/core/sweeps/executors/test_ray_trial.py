"""Trial helpers: shared storage round trip (a shared folder, or a pyarrow URI), the picklable cancel stopper."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd

from agnews_core.sweeps.executors.ray_trial import CancelStopper, download_run, storage_uri, upload_run


def _run_folder(root: Path) -> Path:
    run = root / "run01-lr1e-3"
    (run / "model").mkdir(parents=True)
    pd.DataFrame({"text": ["a"], "label": [1]}).to_parquet(run / "predictions.parquet")
    (run / "model" / "config.json").write_text('{"x": 1}')
    return run


def test_a_run_folder_goes_through_a_shared_folder_into_artifacts_unchanged(tmp_path: Path) -> None:
    source = _run_folder(tmp_path / "trial")
    for storage in (str(tmp_path / "shared"), (tmp_path / "shared-uri").as_uri()):
        upload_run(source, storage, "S1", "run01-lr1e-3")
        target = tmp_path / "artifacts" / storage.replace("/", "_") / "run01-lr1e-3"
        download_run(storage, "S1", "run01-lr1e-3", target)
        assert (target / "model" / "config.json").read_text() == '{"x": 1}'
        assert pd.read_parquet(target / "predictions.parquet")["label"].tolist() == [1]
        assert not [p for p in target.iterdir() if p.name.startswith(".")]  # no staging folder left behind
    assert (tmp_path / "shared" / "S1" / "run01-lr1e-3" / "predictions.parquet").is_file()


def test_storage_paths_name_the_sweep_and_run(tmp_path: Path) -> None:
    _, path = storage_uri(str(tmp_path), "S1", "run02")
    assert path == f"{tmp_path.resolve()}/S1/run02"
    _, path = storage_uri(f"file://{tmp_path}/", "S1", "run02")
    assert path.endswith(f"{tmp_path}/S1/run02")


def test_the_cancel_stopper_asks_the_driver_and_pickles_without_it() -> None:
    flag = [False]
    stopper = CancelStopper(lambda: flag[0])
    assert not stopper.stop_all() and not stopper("trial", {})
    flag[0] = True
    assert stopper.stop_all()
    assert not pickle.loads(pickle.dumps(stopper)).stop_all()
