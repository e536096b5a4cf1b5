"""Which runs can be compared (TF-IDF baselines included) and the rows B fixed, broke or both missed."""

from __future__ import annotations

import shutil

import pytest

from agnews_core.analysis.comparable_runs import (
    TFIDF_RUN,
    RowSet,
    RunChoice,
    comparable_runs,
    compare_stored,
    default_pair,
    describe,
    load_run_predictions,
    parse_key,
    rows_of_b,
)
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore


@pytest.fixture
def copied(finished_sweep, tmp_path):
    """A writable copy of the finished tiny sweep: (store, record)."""
    store, record = finished_sweep
    shutil.copytree(store.root, tmp_path / "artifacts")
    return ArtifactStore(tmp_path / "artifacts"), record


def test_every_finished_run_and_the_tfidf_baseline_are_offered(copied) -> None:
    store, record = copied
    choices = comparable_runs(store)
    assert [c.run_id for c in choices] == [*record.run_ids, TFIDF_RUN]
    assert choices[-1].is_tfidf and choices[-1].key == f"{record.sweep_id}/{TFIDF_RUN}"
    assert "TF-IDF" in choices[-1].label and "best" in next(c.label for c in choices if c.run_id == record.best_run_id)


def test_an_older_sweep_without_tfidf_predictions_simply_offers_no_baseline(copied) -> None:
    store, record = copied
    store.paths.tfidf_predictions_file(record.sweep_id).unlink()
    assert TFIDF_RUN not in [c.run_id for c in comparable_runs(store)]
    with pytest.raises(ArtifactError, match="did not store the TF-IDF"):
        load_run_predictions(store, record.sweep_id, TFIDF_RUN)


def test_rows_b_fixed_broke_and_missed_are_b_rows_with_the_right_correctness(copied) -> None:
    store, record = copied
    a, b = (record.sweep_id, TFIDF_RUN), (record.sweep_id, record.best_run_id)
    result = compare_stored(store, a, b)
    frame_a, frame_b = load_run_predictions(store, *a), load_run_predictions(store, *b)
    assert result.table.rows == len(frame_a) == record.config.test_size
    right_a = dict(zip(frame_a["text"], frame_a["label"] == frame_a["predicted"], strict=False))
    for rows, a_right, b_right in ((RowSet.FIXED, False, True), (RowSet.BROKEN, True, False),
                                   (RowSet.BOTH_MISSED, False, False)):
        chosen = rows_of_b(result, frame_b, rows, frame_a)
        assert len(chosen) == len({RowSet.FIXED: result.fixed, RowSet.BROKEN: result.broken,
                                   RowSet.BOTH_MISSED: result.both_missed}[rows])
        assert ((chosen["label"] == chosen["predicted"]) == b_right).all()
        assert all(right_a[text] == a_right for text in chosen["text"])
        assert ((chosen["predicted_a"] == chosen["label"]) == a_right).all()
    assert describe(store, *a) == f"TF-IDF (sweep {record.sweep_id})"
    assert describe(store, *b).startswith("lr ")


def test_runs_on_different_test_rows_raise_a_clear_error(copied) -> None:
    store, record = copied
    frame = store.load_predictions(record.sweep_id, record.best_run_id)
    other = record.run_ids[0] if record.run_ids[0] != record.best_run_id else record.run_ids[1]
    shorter = frame.drop(frame.index[frame["split"] == "test"][:5])
    store.save_predictions(record.sweep_id, other, shorter)
    with pytest.raises(ValueError, match="different test rows"):
        compare_stored(store, (record.sweep_id, record.best_run_id), (record.sweep_id, other))


@pytest.mark.parametrize("key", ["", "no-slash", "../x/run", "a/..", "a/b/c"])
def test_parse_key_rejects_what_is_not_sweep_slash_run(key: str) -> None:
    with pytest.raises(ValueError):
        parse_key(key)


def test_parse_key_splits_a_valid_key() -> None:
    assert parse_key("20261126-143015-a1b2c3/tfidf") == ("20261126-143015-a1b2c3", "tfidf")


def choice(sweep_id: str, run_id: str, best: bool = False) -> RunChoice:
    return RunChoice(sweep_id, run_id, f"{run_id} of {sweep_id}", best)


def test_the_default_pair_is_the_newest_best_run_against_its_sweeps_tfidf() -> None:
    choices = [choice("s2", "run01"), choice("s2", "run02", best=True), choice("s2", TFIDF_RUN),
               choice("s1", "run01", best=True), choice("s1", TFIDF_RUN)]
    assert default_pair(choices) == (choices[2], choices[1])


def test_without_a_tfidf_baseline_or_best_run_the_default_pair_takes_other_runs() -> None:
    no_tfidf = [choice("s2", "run01"), choice("s2", "run02", best=True), choice("s1", TFIDF_RUN)]
    assert default_pair(no_tfidf) == (no_tfidf[0], no_tfidf[1])  # never the TF-IDF of another sweep
    no_best = [choice("s2", "run01"), choice("s2", "run02"), choice("s2", TFIDF_RUN)]
    assert default_pair(no_best) == (no_best[2], no_best[0])
    with pytest.raises(ValueError, match="two runs"):
        default_pair(no_best[:1])

