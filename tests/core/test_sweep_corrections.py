"""A sweep with --corrections apply relabels and drops the training and validation rows that have verdicts."""

from __future__ import annotations

import pytest
from sweep_configs import small_config

from agnews_core.data.sources import DataError, load_source, make_splits
from agnews_core.review.corrections import correct_splits
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore
from agnews_core.store.records import CorrectionCounts, SweepRecord
from agnews_core.sweeps.runner import run_sweep


def verdicts_on(splits) -> list[Verdict]:
    """Relabel the first training row, remove the second, remove the first validation row, keep the third."""
    train, validation = splits.train, splits.validation
    first, second, third = (train.iloc[i] for i in range(3))
    return [
        Verdict(first["text"], int(first["label"]), VerdictKind.RELABEL, new_label=(int(first["label"]) + 1) % 4),
        Verdict(second["text"], int(second["label"]), VerdictKind.REMOVE),
        Verdict(third["text"], int(third["label"]), VerdictKind.KEEP),
        Verdict(validation.iloc[0]["text"], int(validation.iloc[0]["label"]), VerdictKind.REMOVE),
    ]


def test_correct_splits_changes_train_and_validation_but_never_test() -> None:
    splits = make_splits(load_source("sample"), small_config())
    chosen = verdicts_on(splits)
    corrected, counts = correct_splits(splits, {v.text_key: v for v in chosen})
    assert counts == CorrectionCounts(relabeled_train=1, removed_train=1, relabeled_validation=0,
                                      removed_validation=1, verdicts=4)
    assert len(corrected.train) == len(splits.train) - 1 and len(corrected.validation) == len(splits.validation) - 1
    relabelled = corrected.train[corrected.train["text"] == chosen[0].text]
    assert list(relabelled["label"]) == [chosen[0].new_label]
    assert chosen[1].text not in set(corrected.train["text"])
    assert corrected.test.equals(splits.test)


def test_removing_every_training_row_is_a_clear_data_error() -> None:
    splits = make_splits(load_source("sample"), small_config())
    remove_all = {v.text_key: v for v in (Verdict(t, int(label), VerdictKind.REMOVE)
                                          for t, label in zip(splits.train["text"], splits.train["label"], strict=True))}
    with pytest.raises(DataError, match="remove every training row"):
        correct_splits(splits, remove_all)


def test_a_sweep_applies_the_sources_verdicts_and_records_how_many(store) -> None:
    config = small_config(corrections="apply")
    VerdictStore(store.root, "sample").record_all(verdicts_on(make_splits(load_source("sample"), config)))
    record = run_sweep(store, config)
    assert record.status == "done", record.error
    expected = CorrectionCounts(relabeled_train=1, removed_train=1, removed_validation=1, verdicts=4)
    assert record.corrections == expected and record.data_source == "sample"
    assert store.load_sweep(record.sweep_id).corrections == expected  # on disk too
    assert expected.describe() \
        == "3 corrections applied (train: 1 relabelled, 1 removed; validation: 1 removed) from 4 verdicts"
    tested = store.load_predictions(record.sweep_id, record.best_run_id)
    assert (tested["split"] == "test").sum() == config.test_size  # the test rows are never touched


def test_a_unanimous_sweep_applies_only_the_rows_its_reviewers_agree_on(store) -> None:
    config = small_config(corrections="apply", verdict_policy="unanimous")
    train = make_splits(load_source("sample"), config).train
    agreed, disputed = train.iloc[0], train.iloc[1]
    VerdictStore(store.root, "sample").record_all([
        *(Verdict(agreed["text"], int(agreed["label"]), VerdictKind.REMOVE, reviewer=name) for name in ("ana", "bob")),
        Verdict(disputed["text"], int(disputed["label"]), VerdictKind.KEEP, reviewer="bob"),
        Verdict(disputed["text"], int(disputed["label"]), VerdictKind.REMOVE, reviewer="ana"),
    ])
    record = run_sweep(store, config)
    assert record.status == "done", record.error
    assert record.corrections == CorrectionCounts(removed_train=1, verdicts=1)  # the disputed row is left alone
    assert store.load_sweep(record.sweep_id).config.verdict_policy == "unanimous"  # recorded with the sweep
    latest = correct_splits(make_splits(load_source("sample"), config),
                            VerdictStore(store.root, "sample").by_row(), "latest")[1]
    assert latest == CorrectionCounts(removed_train=2, verdicts=2)  # the latest policy follows ana's later removal


def test_a_sweep_that_ignores_verdicts_records_none(store) -> None:
    config = small_config()
    VerdictStore(store.root, "sample").record_all(verdicts_on(make_splits(load_source("sample"), config)))
    record = run_sweep(store, config)
    assert record.corrections is None and record.config.corrections == "ignore"


def test_old_sweep_files_without_corrections_still_load(finished_sweep) -> None:
    store, record = finished_sweep
    data = record.to_dict()
    for name in ("corrections", "data_source"):
        data.pop(name)
    assert SweepRecord.from_dict(data).corrections is None
    with pytest.raises(ValueError, match="corrections should be a dict"):
        SweepRecord.from_dict({**data, "corrections": [1, 2]})
    with pytest.raises(ValueError, match="whole number >= 0"):
        SweepRecord.from_dict({**data, "corrections": {"removed_train": -1}})
