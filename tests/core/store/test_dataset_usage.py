"""Which sweeps and verdicts still use a registered data set."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_configs import small_config

from agnews_core.data.columns import ColumnMapping
from agnews_core.data.registry import DatasetManifest
from agnews_core.states import SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.dataset_usage import DatasetUsage, dataset_usage
from agnews_core.store.records import SweepRecord


def _manifest(name: str, version: int) -> DatasetManifest:
    return DatasetManifest(id=f"{name}-v{version}", name=name, version=version, label_names=("a", "b"),
                           rows={"train": 10, "test": 4}, class_rows={"train": {"a": 5, "b": 5}, "test": {"a": 2, "b": 2}},
                           columns=ColumnMapping(("text",), "label"), source_files=(f"{name}.csv",), sha256="0" * 64,
                           test_rows_from=f"{name}.csv", created="2026-01-01T00:00:00+00:00", test_share=0.2, seed=42)


def _save(store: ArtifactStore, sweep_id: str, data: str, dataset_id: str = "",
          status: SweepState = SweepState.DONE) -> None:
    store.save_sweep(SweepRecord(sweep_id=sweep_id, config=small_config(data=data), status=status,
                                 created_at="2026-01-01T00:00:00", dataset_id=dataset_id))


def no_verdicts(name: str) -> int:
    return 0


def test_sweeps_that_recorded_a_version_use_it(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    _save(store, "on-v1", "tickets", "tickets-v1")
    _save(store, "on-v2", "tickets", "tickets-v2")
    _save(store, "on-sample", "sample")
    usage = dataset_usage(store, [_manifest("tickets", 1)], no_verdicts)
    assert usage == DatasetUsage("tickets", ("tickets-v1",), ("on-v1",), 0)
    assert usage.in_use and usage.describe() == "used by 1 sweep (on-v1)"
    both = dataset_usage(store, [_manifest("tickets", 1), _manifest("tickets", 2)], no_verdicts)
    assert sorted(both.sweep_ids) == ["on-v1", "on-v2"]


def test_a_queued_sweep_that_asked_for_the_name_uses_it_before_it_records_a_version(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    _save(store, "queued", "tickets", status=SweepState.QUEUED)
    _save(store, "failed-early", "tickets", status=SweepState.FAILED)  # ended before it read the data
    assert dataset_usage(store, [_manifest("tickets", 1)], no_verdicts).sweep_ids == ("queued",)


def test_verdicts_on_the_name_count_and_are_asked_for_by_name(tmp_path: Path) -> None:
    asked: list[str] = []

    def three(name: str) -> int:
        asked.append(name)
        return 3

    usage = dataset_usage(ArtifactStore(tmp_path), [_manifest("tickets", 2)], three)
    assert asked == ["tickets"]
    assert usage.in_use and usage.describe() == "used by 3 verdicts on tickets"


def test_nothing_uses_a_fresh_data_set(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    _save(store, "other", "messy", "messy-v1")
    usage = dataset_usage(store, [_manifest("tickets", 1)], no_verdicts)
    assert not usage.in_use and usage.describe() == "not used"


def test_sweeps_and_verdicts_together_are_described_in_one_line() -> None:
    usage = DatasetUsage("tickets", ("tickets-v1",), ("s1", "s2"), 1)
    assert usage.describe() == "used by 2 sweeps (s1, s2) and 1 verdict on tickets"


def test_versions_of_two_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="exactly one data set"):
        dataset_usage(ArtifactStore(tmp_path), [_manifest("tickets", 1), _manifest("messy", 1)], no_verdicts)
