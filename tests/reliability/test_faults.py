"""Runs that fail (out of memory, NaN loss, a model that will not load, a full disk) are recorded; the sweep goes on."""

from __future__ import annotations

import errno
import math
from pathlib import Path

import pandas as pd
import pytest

from agnews_core.config.sweep_config import RunSpec
from agnews_core.states import RunState, SweepState
from agnews_core.sweeps import runner as sweep_module

from .conftest import small_config

OOM_LR, CUDA_LR, NAN_LR, FULL_PREDICTIONS_LR, FULL_MODEL_LR, GOOD_LR = 1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3


def _disk_full() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_failing_runs_are_recorded_with_their_reason_and_the_sweep_goes_on(store, make_manager, monkeypatch) -> None:
    import torch

    def fault_hook(spec: RunSpec) -> None:
        if spec.learning_rate == OOM_LR:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if spec.learning_rate == CUDA_LR:
            raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 7.79 GiB total capacity)")

    real_train = sweep_module.train_model

    def train_with_nan(model, tokenizer, train, validation, settings, *rest):  # noqa: ANN001, ANN202
        if settings.learning_rate == NAN_LR:  # a real NaN loss, seen by the Trainer callback
            model.classifier.register_forward_hook(lambda module, inputs, output: output * float("nan"))
        return real_train(model, tokenizer, train, validation, settings, *rest)

    real_to_parquet = pd.DataFrame.to_parquet

    def to_parquet_on_a_full_disk(frame, path, *args, **kwargs):  # noqa: ANN001, ANN202
        if "lr4e-3" in str(path):  # half a file lands on disk, then the disk is full
            Path(path).write_bytes(b"PAR1 half a file")
            raise _disk_full()
        return real_to_parquet(frame, path, *args, **kwargs)

    real_save_model = sweep_module.save_model

    def save_model_on_a_full_disk(loaded, folder):  # noqa: ANN001, ANN202
        if "lr5e-3" in str(folder):
            Path(folder).mkdir(parents=True, exist_ok=True)
            (Path(folder) / "model.safetensors").write_bytes(b"half")
            raise _disk_full()
        return real_save_model(loaded, folder)

    monkeypatch.setattr(sweep_module, "train_model", train_with_nan)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet_on_a_full_disk)
    monkeypatch.setattr(sweep_module, "save_model", save_model_on_a_full_disk)
    manager = make_manager(store, fault_hook=fault_hook)
    lrs = (OOM_LR, CUDA_LR, NAN_LR, FULL_PREDICTIONS_LR, FULL_MODEL_LR, GOOD_LR)
    sweep = manager.submit(small_config(learning_rates=lrs, keep_models="all"))

    assert manager.wait_idle(timeout=300), "the sweep still runs after 5 minutes"
    view = manager.job(sweep.sweep_id)
    assert view.sweep.status == SweepState.DONE_WITH_FAILURES
    runs, broken = store.load_runs(view.sweep)
    assert broken == []
    by_lr = {run.learning_rate: run for run in runs}
    assert [by_lr[lr].status for lr in lrs] == [RunState.FAILED] * 5 + [RunState.DONE]
    assert "out of memory" in by_lr[OOM_LR].error and "lower the batch size" in by_lr[OOM_LR].error
    assert "out of memory" in by_lr[CUDA_LR].error
    assert "NaN" in by_lr[NAN_LR].error and "too high" in by_lr[NAN_LR].error
    assert math.isnan(by_lr[NAN_LR].train_loss[-1].loss)  # the curve up to the divergence is kept
    assert "disk full" in by_lr[FULL_PREDICTIONS_LR].error
    assert "disk full" in by_lr[FULL_MODEL_LR].error
    assert all(run.finished_at for run in runs)
    good = by_lr[GOOD_LR]
    assert view.sweep.best_run_id == good.run_id and good.model_saved and store.has_model(sweep.sweep_id, good.run_id)
    for lr in (OOM_LR, CUDA_LR, NAN_LR, FULL_PREDICTIONS_LR, FULL_MODEL_LR):
        assert f"lr {by_lr[lr].lr_label}" in view.sweep.error
    # Nothing half-written is left behind: no temp files, no half model, no unreadable predictions.
    files = _files(store.sweep_dir(sweep.sweep_id))
    assert [f for f in files if ".tmp" in f] == []
    assert not store.has_model(sweep.sweep_id, by_lr[FULL_MODEL_LR].run_id)
    assert not (store.run_dir(sweep.sweep_id, by_lr[FULL_PREDICTIONS_LR].run_id) / "predictions.parquet").exists()


def test_a_sweep_whose_every_run_fails_ends_failed_not_running(store, make_manager, tmp_path) -> None:
    empty_model = tmp_path / "not-a-model"
    empty_model.mkdir()  # a folder, so it passes the quick check, but no weights in it
    manager = make_manager(store)
    sweep = manager.submit(small_config(learning_rates=(1e-3, 2e-3), model=str(empty_model)))

    assert manager.wait_idle(timeout=120), "the sweep still runs after 2 minutes"
    record = manager.job(sweep.sweep_id).sweep
    assert record.status == RunState.FAILED
    runs, _ = store.load_runs(record)
    assert [r.status for r in runs] == [RunState.FAILED, RunState.FAILED]
    for run in runs:
        assert "could not load model" in run.error and str(empty_model) in run.error
    assert store.load_sweep(sweep.sweep_id).status == RunState.FAILED
    assert not manager.is_busy()


@pytest.mark.parametrize("error", [_disk_full(), OSError(errno.EROFS, "Read-only file system")])
def test_a_failed_parquet_write_leaves_no_temp_file(tmp_path, monkeypatch, error: OSError) -> None:
    from agnews_core.store.artifact_store import atomic_write_parquet

    def failing(frame, path, *args, **kwargs):  # noqa: ANN001, ANN202
        Path(path).write_bytes(b"PAR1 half")
        raise error

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    with pytest.raises(OSError):
        atomic_write_parquet(tmp_path / "predictions.parquet", pd.DataFrame({"a": [1]}))
    assert _files(tmp_path) == []
