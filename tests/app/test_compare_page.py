"""Compare page: two runs (the TF-IDF baseline included) on the same test rows, and the rows B fixed, broke or
both missed (older Errors links to them forward here)."""

from __future__ import annotations

import re

from agnews_core.analysis.comparable_runs import TFIDF_RUN, RowSet, compare_stored
from agnews_core.store.artifact_store import ArtifactStore

from .conftest import metrics, values

COMPARE, ERRORS = "pages/compare.py", "pages/errors.py"


def test_empty_compare_says_to_start_a_sweep(open_page) -> None:
    at = open_page(COMPARE)
    assert "Comparing needs two finished runs" in values(at.info)[0]


def test_default_compares_the_best_run_with_the_tfidf_baseline(open_page, artifacts, finished) -> None:
    at = open_page(COMPARE)
    assert at.selectbox(key="compare_a").value == f"{finished.sweep_id}/{TFIDF_RUN}"
    assert at.selectbox(key="compare_b").value == f"{finished.sweep_id}/{finished.best_run_id}"
    expected = compare_stored(ArtifactStore(artifacts), (finished.sweep_id, TFIDF_RUN),
                              (finished.sweep_id, finished.best_run_id))
    sentence = [m.value for m in at.markdown if "fixes" in m.value or "exactly the same" in m.value]
    assert sentence == [f"**{expected.sentence}**"]
    assert re.search(r"B fixes [\d,]+ rows? and breaks [\d,]+: .*p [=<] ", sentence[0]) or "same rows" in sentence[0]
    shown = metrics(at)
    t = expected.table
    assert [shown["Both right"], shown["Only A right (B broke)"], shown["Only B right (B fixed)"],
            shown["Both wrong"]] == [f"{n:,}" for n in (t.both_right, t.only_a, t.only_b, t.both_wrong)]
    assert t.rows == finished.config.test_size
    table = at.dataframe[0].value
    assert table.loc["A wrong", "B right"] == t.only_b and table.loc["A right", "B wrong"] == t.only_a
    row_sets = at.get("button_group")[0]
    assert row_sets.label == "Show the rows" and row_sets.value is None and "rows" not in at.query_params
    assert row_sets.options == [
        f"rows B fixed ({t.only_b:,})", f"rows B broke ({t.only_a:,})", f"rows both runs missed ({t.both_wrong:,})"]


def test_runs_on_different_test_rows_get_a_message_not_a_table(open_page, artifacts, finished) -> None:
    store = ArtifactStore(artifacts)
    other = next(r for r in finished.run_ids if r != finished.best_run_id)
    frame = store.load_predictions(finished.sweep_id, other)
    store.save_predictions(finished.sweep_id, other, frame.drop(frame.index[frame["split"] == "test"][:3]))
    at = open_page(COMPARE, a=f"{finished.sweep_id}/{other}", b=f"{finished.sweep_id}/{finished.best_run_id}")
    assert len(at.error) == 1 and "different test rows" in at.error[0].value
    assert not at.dataframe and not at.metric


def test_the_same_run_twice_asks_for_two_runs(open_page, finished) -> None:
    key = f"{finished.sweep_id}/{finished.best_run_id}"
    at = open_page(COMPARE, a=key, b=key)
    assert values(at.info) == ["A and B are the same run: pick two different runs."]


def shown_rows(at, expected, rows: str) -> None:
    """The page shows the comparison's rows of one set: B right or wrong, A's prediction beside."""
    count = len({"fixed": expected.fixed, "broke": expected.broken, "missed": expected.both_missed}[rows])
    assert at.query_params["rows"] == rows
    assert values(at.info)[0].startswith(f"{count:,} rows ")
    if count:
        table = at.dataframe[1].value  # after the 2x2 table
        assert len(table) == min(count, 50)
        assert ((table["true label"] == table["predicted"]) == (rows == "fixed")).all()
        assert ((table["true label"] == table["A predicted"]) == (rows == "broke")).all()
    else:
        assert len(at.dataframe) == 1


def test_each_row_set_shows_its_rows_and_goes_into_the_url(open_page, artifacts, finished) -> None:
    a, b = (finished.sweep_id, TFIDF_RUN), (finished.sweep_id, finished.best_run_id)
    expected = compare_stored(ArtifactStore(artifacts), a, b)
    at = open_page(COMPARE)
    for rows in ("fixed", "broke", "missed"):
        at.get("button_group")[0].set_value(RowSet(rows)).run()
        shown_rows(at, expected, rows)
    at = open_page(COMPARE, a="/".join(a), b="/".join(b), rows="broke")  # a shared link opens on its set
    shown_rows(at, expected, "broke")


def test_older_errors_links_to_compared_rows_forward_to_compare(open_page, artifacts, finished) -> None:
    a, b = (finished.sweep_id, TFIDF_RUN), (finished.sweep_id, finished.best_run_id)
    expected = compare_stored(ArtifactStore(artifacts), a, b)
    at = open_page(ERRORS, sweep=b[0], run=b[1], compare="/".join(a), rows="missed")
    assert [t.value for t in at.title] == ["Compare"]
    assert (at.query_params["a"], at.query_params["b"]) == ("/".join(a), "/".join(b))
    assert at.selectbox(key="compare_a").value == "/".join(a) and at.selectbox(key="compare_b").value == "/".join(b)
    shown_rows(at, expected, "missed")


def test_a_bad_comparison_link_says_so(open_page, finished) -> None:
    at = open_page(ERRORS, sweep=finished.sweep_id, run=finished.best_run_id, compare="nonsense", rows="fixed")
    assert [w.value for w in at.warning] == [
        f"The link's run A (nonsense) is not a finished run with stored predictions: "
        f"{at.selectbox(key='compare_a').format_func(at.selectbox(key='compare_a').value)} is shown instead."]
    at = open_page(COMPARE, a=f"{finished.sweep_id}/{TFIDF_RUN}", b=f"{finished.sweep_id}/{finished.best_run_id}",
                   rows="everything")
    assert [w.value for w in at.warning] == [
        "The link's rows=everything is not one of fixed, broke, missed: pick a set below."]
    assert at.get("button_group")[0].value is None and len(at.dataframe) == 1
