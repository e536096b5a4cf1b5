"""Accuracy page: baselines vs fine-tuned, per-class table, and the doorway from a label pair to its errors."""

from __future__ import annotations

from agnews_core.labels import LABELS
from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.store.artifact_store import ArtifactStore
from agnews_ui.format import pct

from .conftest import button, metrics, page_links, values

ACCURACY = "pages/accuracy.py"


def best_run(artifacts, sweep):
    """The sweep's best run as stored."""
    return ArtifactStore(artifacts).load_run(sweep.sweep_id, sweep.best_run_id)


def most_frequent_error(confusion) -> tuple[int, int, int]:
    """(true, predicted, count) of the largest off-diagonal cell."""
    return max(((t, p, confusion[t][p]) for t in range(len(LABELS)) for p in range(len(LABELS)) if t != p),
               key=lambda cell: cell[2])


def test_empty_accuracy_says_to_start_a_sweep(open_page) -> None:
    at = open_page(ACCURACY)
    assert values(at.info) == ["No runs yet: start a sweep on the Sweep page."]
    assert not at.metric


def test_metrics_compare_the_best_run_with_both_baselines(open_page, artifacts, finished) -> None:
    at = open_page(ACCURACY)
    run = best_run(artifacts, finished)
    assert at.selectbox(key="run").value == run.run_id
    shown = metrics(at)
    expected = {
        "Untrained model": pct(finished.baselines[UNTRAINED].accuracy),
        "TF-IDF + logistic regression": pct(finished.baselines[TFIDF].accuracy),
        f"Fine-tuned, lr {run.lr_label}": pct(run.test.accuracy),
    }
    assert {label: shown.get(label) for label in expected} == expected  # the calibration section has its own
    delta = next(m for m in at.metric if m.label.startswith("Fine-tuned")).proto.delta
    gain = (run.test.accuracy - finished.baselines[UNTRAINED].accuracy) * 100
    if abs(gain) >= 0.05:
        assert delta == f"{gain:+.1f} points vs untrained"
    else:  # no green arrow for "+0.0 points"
        assert delta == ""


def test_per_class_table_has_every_label_with_its_errors(open_page, artifacts, finished) -> None:
    at = open_page(ACCURACY)
    run = best_run(artifacts, finished)
    table = at.dataframe[0].value
    assert list(table["label"]) == list(LABELS)
    assert list(table["support"]) == [sum(row) for row in run.test.confusion]
    assert list(table["errors"]) == [sum(row) - row[i] for i, row in enumerate(run.test.confusion)]
    assert table["support"].sum() == run.test.count
    assert list(table["recall"]) == [pct(c.recall) for c in run.test.per_class]


def test_label_links_open_errors_for_that_label(open_page, finished) -> None:
    at = open_page(ACCURACY)
    labels = [link.proto.label for link in page_links(at)]
    assert [f"{name} errors" for name in LABELS] == [x for x in labels if x.endswith(" errors")]


def test_show_these_examples_opens_errors_for_the_pair(open_page, artifacts, finished) -> None:
    at = open_page(ACCURACY)
    run = best_run(artifacts, finished)
    true_id, predicted_id, count = most_frequent_error(run.test.confusion)
    at.selectbox(key="cell-true").select(LABELS[true_id]).run()
    at.selectbox(key="cell-pred").select(LABELS[predicted_id]).run()
    button(at, "Show these examples").click().run()
    assert not at.exception
    assert at.title[0].value == "Errors"
    assert at.query_params["sweep"] == finished.sweep_id
    assert at.query_params["run"] == run.run_id
    assert (at.query_params["true"], at.query_params["pred"]) == (str(true_id), str(predicted_id))
    assert at.selectbox(key="errors_true").value == LABELS[true_id]
    assert at.selectbox(key="errors_pred").value == LABELS[predicted_id]
    count_line = next(m.value for m in at.markdown if "rows**" in m.value)
    assert count_line.startswith(f"**{count:,} misclassified rows**")


def test_run_in_the_url_is_selected(open_page, artifacts, finished) -> None:
    other = next(r for r in finished.run_ids if r != finished.best_run_id)
    at = open_page(ACCURACY, sweep=finished.sweep_id, run=other)
    assert at.selectbox(key="run").value == other
    run = ArtifactStore(artifacts).load_run(finished.sweep_id, other)
    assert metrics(at)[f"Fine-tuned, lr {run.lr_label}"] == pct(run.test.accuracy)
