"""Compare page: two runs (the TF-IDF baseline included) on the same test rows, and the Errors view of their rows."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from agnews_core.analysis.comparable_runs import TFIDF_RUN, compare_stored
from agnews_core.store.artifact_store import ArtifactStore

from .conftest import metrics, page_links, values

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
    links = {link.proto.label: parse_qs(link.proto.query_string) for link in page_links(at)}
    fixed = links[f"Open the {t.only_b:,} rows B fixed"]
    assert fixed == {"sweep": [finished.sweep_id], "run": [finished.best_run_id],
                     "compare": [f"{finished.sweep_id}/{TFIDF_RUN}"], "rows": ["fixed"]}
    assert f"Open the {t.only_a:,} rows B broke" in links and f"Open the {t.both_wrong:,} rows both runs missed" in links


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


def test_errors_opened_from_compare_show_the_rows_b_fixed(open_page, artifacts, finished) -> None:
    a, b = (finished.sweep_id, TFIDF_RUN), (finished.sweep_id, finished.best_run_id)
    expected = compare_stored(ArtifactStore(artifacts), a, b)
    for rows, count, b_right in (("fixed", len(expected.fixed), True), ("broke", len(expected.broken), False),
                                 ("missed", len(expected.both_missed), False)):
        at = open_page(ERRORS, sweep=b[0], run=b[1], compare="/".join(a), rows=rows)
        caption = values(at.info)[0]
        assert caption.startswith(f"Comparison: {count:,} rows ") and f"A = TF-IDF (sweep {a[0]})" in caption
        if count:
            table = at.dataframe[0].value
            assert len(table) == min(count, 50)
            assert ((table["true label"] == table["predicted"]) == b_right).all()
            assert ((table["true label"] == table["A predicted"]) == (rows == "broke")).all()
        assert "Back to Compare" in [link.proto.label for link in page_links(at)]


def test_a_bad_comparison_link_says_so(open_page, finished) -> None:
    at = open_page(ERRORS, sweep=finished.sweep_id, run=finished.best_run_id, compare="nonsense", rows="fixed")
    assert "This comparison link cannot be opened" in at.error[0].value
    at = open_page(ERRORS, sweep=finished.sweep_id, run=finished.best_run_id,
                   compare=f"{finished.sweep_id}/{TFIDF_RUN}", rows="everything")
    assert "This comparison link cannot be opened" in at.error[0].value
