"""Results page: loss curves per learning rate, the table sorted by eval loss with the best row marked, baselines."""

from __future__ import annotations

import json

from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.store.artifact_store import ArtifactStore
from agnews_ui.charts import lr_colour
from agnews_ui.format import pct

from .conftest import corrupt_sweep, metrics, page_links, values

RESULTS = "pages/results.py"


def test_empty_results_say_to_start_a_sweep(open_page) -> None:
    at = open_page(RESULTS)
    assert values(at.info) == ["No runs yet: start a sweep on the Sweep page."]
    assert "Go to Sweep" in [link.proto.label for link in page_links(at)]
    assert not at.dataframe


def test_table_marks_the_best_run_and_sorts_by_eval_loss(open_page, artifacts, finished) -> None:
    at = open_page(RESULTS)
    assert at.selectbox(key="sweep").value == finished.sweep_id
    assert at.query_params["sweep"] == finished.sweep_id
    table = at.dataframe[0].value
    runs, _ = ArtifactStore(artifacts).load_runs(finished)
    best = next(r for r in runs if r.run_id == finished.best_run_id)
    assert len(table) == len(runs) == 2
    assert list(table[""]) == ["★ best", ""]
    assert table.iloc[0]["lr"] == best.lr_label
    assert list(table["eval loss"]) == sorted(r.final_eval_loss for r in runs)
    assert table.iloc[0]["test accuracy"] == pct(best.test.accuracy)
    assert set(table["state"]) == {"done"}


def test_both_baselines_are_shown(open_page, finished) -> None:
    at = open_page(RESULTS)
    shown = metrics(at)
    assert shown["Untrained model"] == pct(finished.baselines[UNTRAINED].accuracy)
    assert shown["TF-IDF + logistic regression"] == pct(finished.baselines[TFIDF].accuracy)
    table = at.dataframe[0].value
    best_accuracy = next(r for _, r in table.iterrows() if r["_best"])["test accuracy"]
    assert best_accuracy.endswith("%")
    assert table["vs TF-IDF (points)"].notna().all() and table["vs untrained (points)"].notna().all()
    assert not [c for c in values(at.caption) if "reused from sweep" in c]


def test_baselines_reused_from_an_earlier_sweep_say_which(open_page, artifacts, finished) -> None:
    store = ArtifactStore(artifacts)
    store.save_sweep(finished.with_changes(baselines_reused={TFIDF: "20260101-000000-abcdef"}))
    at = open_page(RESULTS)
    assert [c for c in values(at.caption) if "reused from sweep" in c] == [
        "TF-IDF + logistic regression reused from sweep 20260101-000000-abcdef (same model, rows, seed and settings)."]


def test_loss_curves_have_one_trace_per_lr_in_the_sweep_colours(open_page, finished) -> None:
    at = open_page(RESULTS)
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert len(charts) == 2  # training loss and eval loss
    for spec in charts:
        traces = {trace["name"]: trace["line"]["color"] for trace in spec["data"]}
        assert traces == {"lr 3e-3": lr_colour(0), "lr 1e-3": lr_colour(1)}
    at.get("button_group")[0].set_value("epoch").run()
    assert not at.exception
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]["title"]["text"] == "epoch"


def test_best_run_links_to_its_accuracy(open_page, finished) -> None:
    at = open_page(RESULTS)
    link = next(link for link in page_links(at) if link.proto.label.startswith("Accuracy and confusion matrix"))
    assert finished.best_run_id in link.proto.query_string
    assert finished.sweep_id in link.proto.query_string


def test_unknown_sweep_in_the_url_falls_back_to_the_latest(open_page, finished) -> None:
    at = open_page(RESULTS, sweep="no-such-sweep")
    assert at.selectbox(key="sweep").value == finished.sweep_id


def test_corrupt_sweep_is_a_warning_and_the_good_one_still_shows(open_page, artifacts, finished) -> None:
    broken = corrupt_sweep(artifacts)
    at = open_page(RESULTS)
    warnings = values(at.warning)
    assert any(broken.name in w and "Skipped an unreadable sweep folder" in w for w in warnings), warnings
    options = at.selectbox(key="sweep").options
    assert len(options) == 1 and options[0].startswith(finished.sweep_id)
    assert len(at.dataframe[0].value) == 2
