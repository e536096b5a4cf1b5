"""Baselines reused across sweeps: an identical sweep takes both from the cache and says so; a sweep whose inputs
differ scores again; a damaged entry is scored again and replaced; the Ray executor reuses them too."""

from __future__ import annotations

import threading

import pytest
from sweep_configs import small_config

from agnews_core.data.sources import load_source, make_splits
from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore
from agnews_core.sweeps import baseline_scores
from agnews_core.sweeps.baseline_scores import BaselineScorer, reuse_note
from agnews_core.sweeps.runner import create_sweep, run_sweep


def _here() -> str:
    """The precision this machine's sweeps score the untrained model in (bf16 where the CPU does it natively)."""
    from agnews_core.config.precision import resolve_here

    return str(resolve_here(small_config().precision))


def _never(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("scored again instead of reused")


@pytest.fixture
def first(store):  # noqa: ANN001, ANN201
    record = run_sweep(store, small_config())
    assert record.status == "done", record.error
    return record


def _scorer(store, sweep_id: str = "20260101-000000-aaaaaa", **overrides) -> BaselineScorer:  # noqa: ANN001
    config = small_config(**overrides)
    return BaselineScorer(store.root, sweep_id, config, make_splits(load_source("sample"), config))


def test_an_identical_sweep_reuses_both_baselines_and_records_it(store, first, monkeypatch) -> None:
    assert first.baselines_reused == {} and set(first.baselines) == {TFIDF, UNTRAINED}
    monkeypatch.setattr(baseline_scores, "tfidf_predictions", _never)
    monkeypatch.setattr(baseline_scores, "load_pretrained", _never)
    second = run_sweep(store, small_config())
    assert second.status == "done", second.error
    assert second.baselines == first.baselines
    assert second.baselines_reused == {TFIDF: first.sweep_id, UNTRAINED: first.sweep_id}
    assert store.load_sweep(second.sweep_id).baselines_reused == second.baselines_reused
    # the new sweep has its own copy of the per-row predictions the Compare page reads
    assert store.load_tfidf_predictions(second.sweep_id).equals(store.load_tfidf_predictions(first.sweep_id))
    third = run_sweep(store, small_config())
    assert third.baselines_reused == {TFIDF: first.sweep_id, UNTRAINED: first.sweep_id}  # where they were scored


@pytest.mark.parametrize(("change", "reused"), [
    ({"seed": 8}, set()),
    ({"train_size": 40}, set()),  # the tiny model's tokenizer is built from the train texts
    ({"test_size": 20}, set()),
    ({"max_length": 64}, {TFIDF}),
    ({"eval_size": 24}, {TFIDF, UNTRAINED}),  # neither baseline sees the validation rows
], ids=["seed", "train rows", "test rows", "max length", "validation size"])
def test_each_input_decides_which_baseline_is_scored_again(store, first, change: dict, reused: set) -> None:
    scorer = _scorer(store, **change)
    found = {scored.name for scored in (scorer.tfidf(), scorer.untrained(_here())) if scored.reused_from}
    assert found == reused


def test_another_data_set_or_label_set_scores_again(store, first, tmp_path) -> None:
    from dataset_fixtures import TICKETS

    from agnews_core.data.columns import ColumnMapping
    from agnews_core.data.drafts import DraftOptions, draft_from_tables
    from agnews_core.data.readers import read_path
    from agnews_core.data.registry import DatasetRegistry

    draft = draft_from_tables(read_path(TICKETS), None, DraftOptions("tickets", ColumnMapping(("body",), "topic")))
    DatasetRegistry(store.root).register(draft, drop=False)
    config = small_config(data="tickets", train_size=12, eval_size=4, test_size=6)
    splits = make_splits(load_source("tickets", store.root), config)
    scorer = BaselineScorer(store.root, "20260101-000000-bbbbbb", config, splits)
    assert not scorer.tfidf().reused_from and not scorer.untrained(_here()).reused_from
    again = BaselineScorer(store.root, "20260101-000000-cccccc", config, splits)
    assert again.tfidf().reused_from == "20260101-000000-bbbbbb"


def test_a_scoring_precision_other_than_the_cached_one_scores_the_untrained_model_again(store, first) -> None:
    assert _scorer(store).untrained(_here()).reused_from == first.sweep_id
    assert _scorer(store).untrained("fp32" if _here() != "fp32" else "bf16").reused_from == ""


def test_corrected_training_rows_score_tfidf_again_but_not_the_untrained_model(store, first) -> None:
    config = small_config(corrections="apply")
    train = make_splits(load_source("sample"), config).train
    row = train.iloc[0]
    VerdictStore(store.root, "sample").record_all(
        [Verdict(row["text"], int(row["label"]), VerdictKind.RELABEL, new_label=(int(row["label"]) + 1) % 4)])
    corrected = run_sweep(store, config)
    assert corrected.status == "done" and corrected.corrections.relabeled_train == 1
    # a relabelled row changes what TF-IDF fits; the tiny model's tokenizer reads the same texts
    assert corrected.baselines_reused == {UNTRAINED: first.sweep_id}
    assert run_sweep(store, config).baselines_reused == {TFIDF: corrected.sweep_id, UNTRAINED: first.sweep_id}


def test_a_damaged_entry_is_scored_again_and_replaced(store, first) -> None:
    scorer = _scorer(store)
    for path in scorer.cache.folder.glob("*.parquet"):  # TF-IDF's per-row predictions
        path.write_bytes(b"PAR1 not really")
    second = run_sweep(store, small_config())
    assert second.baselines_reused == {UNTRAINED: first.sweep_id}
    assert second.baselines[TFIDF] == first.baselines[TFIDF]  # scored again, the same
    assert _scorer(store).tfidf().reused_from == second.sweep_id


def test_a_cache_that_cannot_be_written_never_fails_the_sweep(store, small_config) -> None:
    store.root.joinpath("cache").mkdir(parents=True)
    store.root.joinpath("cache", "baselines").write_text("a file where the folder should be")
    record = run_sweep(store, small_config())
    assert record.status == "done" and set(record.baselines) == {TFIDF, UNTRAINED}
    assert run_sweep(store, small_config()).baselines_reused == {}


def test_the_reuse_note_names_each_source_sweep() -> None:
    assert reuse_note({}) == ""
    assert reuse_note({TFIDF: "s1", UNTRAINED: "s1"}) == \
        "TF-IDF + logistic regression and untrained model reused from sweep s1"
    assert reuse_note({TFIDF: "s2", UNTRAINED: "s1"}) == \
        "TF-IDF + logistic regression reused from sweep s2; untrained model reused from sweep s1"


def test_a_ray_sweep_reuses_the_baselines_of_a_thread_sweep(local_ray, store, first, monkeypatch) -> None:
    from agnews_core.sweeps.executors.ray_executor import RayExecutor, RaySettings

    monkeypatch.setattr(baseline_scores, "tfidf_predictions", _never)
    monkeypatch.setattr(baseline_scores, "load_pretrained", _never)
    on_ray = create_sweep(store, small_config(executor="ray"))
    record = RayExecutor(store, RaySettings(cpus_per_trial=1)).run(on_ray.sweep_id, lambda _: None, threading.Event())
    assert record.status == "done", record.error
    assert record.baselines == first.baselines
    assert record.baselines_reused == {TFIDF: first.sweep_id, UNTRAINED: first.sweep_id}
