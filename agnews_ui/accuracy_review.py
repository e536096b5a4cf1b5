"""The Accuracy page's label-review parts: suspects per class (links into Errors) and accuracy on corrected labels."""

from __future__ import annotations

import streamlit as st

from agnews_core.analysis.run_table import accuracy_points
from agnews_core.review.corrections import corrected_labels
from agnews_core.review.label_review import SUSPECT_SHARE, sweep_source
from agnews_core.review.verdicts import VerdictStore
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_ui import page_registry
from agnews_ui.format import pct
from agnews_ui.label_links import label_links
from agnews_ui.label_review_view import SUSPECT_HELP, review_query, run_review
from agnews_ui.resources import load_predictions


def corrected_test_metric(store: ArtifactStore, sweep: SweepRecord, run: RunRecord) -> None:
    """'Fine-tuned, on corrected test labels' when verdicts touch this run's test rows; nothing otherwise."""
    try:
        predictions = load_predictions(sweep.sweep_id, run.run_id)
        verdicts = VerdictStore(store.root, sweep_source(sweep)).verdicts(sweep.config.verdict_policy)
    except (ArtifactError, OSError, TimeoutError, ValueError):
        return  # the official figure stands alone; the Errors page says what is wrong with the files
    corrected = corrected_labels(predictions[predictions["split"] == "test"], verdicts)
    if not corrected.changed or corrected.accuracy is None:
        return
    st.metric("Fine-tuned, on corrected test labels", pct(corrected.accuracy),
              delta=f"{accuracy_points(corrected.accuracy, run.test.accuracy):+.1f} points vs official labels",
              help=f"Accuracy after applying the analysts' verdicts to the test rows ({corrected.relabeled} "
                   f"relabelled, {corrected.removed} removed, {len(corrected.frame):,} rows left). The official "
                   "figure, on the labels as published, is unchanged.")


def suspects_section(store: ArtifactStore, sweep: SweepRecord, run: RunRecord) -> None:
    """How many suspected label errors each class has among the test rows, each a link to them on the Errors page."""
    st.subheader("Suspected label errors")
    review = run_review(store, sweep, run.run_id)
    if review is None:
        return
    st.caption(f"The {SUSPECT_SHARE:.0%} of each split's rows whose gold label cleanlab scores lowest "
               "(the ranked operating point, not cleanlab's own flags). Open a class to review them.",
               help=SUSPECT_HELP)
    counts = review.suspects_per_class("test")
    label_links(sweep.labels.names, lambda i, name: f"{name}: {counts[i]} suspect{'' if counts[i] == 1 else 's'}",
                lambda i: review_query(sweep.sweep_id, run.run_id, "test", i), key="suspects-label",
                icon=":material/flag:")
    others = st.columns(2)
    for column, split in zip(others, ("validation", "train"), strict=True):
        count = review.suspects(split)
        if count:
            with column:
                page_registry.link(page_registry.ERRORS, f"All {count} suspects among the {split} rows",
                                   ":material/flag:", review_query(sweep.sweep_id, run.run_id, split))
