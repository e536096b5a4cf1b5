"""Accuracy page: suspects per class linking to the Errors page, and accuracy on corrected test labels."""

from __future__ import annotations

from agnews_core.labels import LABELS
from agnews_core.review.label_review import label_review
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore
from agnews_core.store.artifact_store import ArtifactStore
from agnews_ui.format import pct

from .conftest import metrics, page_links

ACCURACY = "pages/accuracy.py"
CORRECTED = "Fine-tuned, on corrected test labels"


def test_each_class_links_to_its_suspects(open_page, artifacts, finished) -> None:
    at = open_page(ACCURACY)
    review = label_review(ArtifactStore(artifacts), finished, finished.best_run_id)  # the page cached it
    counts = review.suspects_per_class("test")
    links = {link.proto.label: link.proto for link in page_links(at) if "suspect" in link.proto.label}
    for i, name in enumerate(LABELS):
        label = f"{name}: {counts[i]} suspect{'' if counts[i] == 1 else 's'}"
        assert label in links, list(links)
        assert links[label].page == "errors"
        assert f"true={i}" in links[label].query_string and "suspects=1" in links[label].query_string
    train = f"All {review.suspects('train')} suspects among the train rows"
    assert train in links and "split=train" in links[train].query_string
    assert CORRECTED not in metrics(at)  # no verdict on a test row yet


def test_verdicts_on_test_rows_add_a_separate_corrected_figure(open_page, artifacts, finished) -> None:
    store = ArtifactStore(artifacts)
    run = store.load_run(finished.sweep_id, finished.best_run_id)
    test = store.load_predictions(finished.sweep_id, run.run_id)
    test = test[test["split"] == "test"]
    wrong = test[test["label"] != test["predicted"]].iloc[0]
    # The analyst sides with the model on one wrong row: the corrected accuracy gains exactly that row.
    VerdictStore(artifacts, "sample").record(Verdict(wrong["text"], int(wrong["label"]), VerdictKind.RELABEL,
                                                     new_label=int(wrong["predicted"])))
    at = open_page(ACCURACY)
    shown = metrics(at)
    assert shown[f"Fine-tuned, lr {run.lr_label}"] == pct(run.test.accuracy)  # the official figure is unchanged
    expected = ((test["label"] == test["predicted"]).sum() + 1) / len(test)
    assert shown[CORRECTED] == pct(expected)
