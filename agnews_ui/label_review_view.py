"""The Errors page's label review: the run's suspects (computed once, with a spinner), their filters and columns.

The split, suspect and smart-tag filters live in the URL (?split=&suspects=1&tag=) like the label pair, so the
Accuracy page can link to "the suspects of class X".
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from agnews_core.labels import AG_NEWS
from agnews_core.review.label_review import SUSPECT_SHARE, LabelReview, label_review, review_is_cached
from agnews_core.review.suspects import TRAIN_SPLIT
from agnews_core.review.verdicts import Verdict, VerdictKind
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore
from agnews_core.store.records import SweepRecord
from agnews_core.text_keys import text_keys
from agnews_ui.resources import FileVersion, file_version
from agnews_ui.resources import store as get_store

SPLIT_KEY, SUSPECTS_KEY, TAG_KEY, ONLY_ERRORS_KEY = "errors_split", "errors_suspects", "errors_tag", "errors_only"
APPLIED_KEY = "errors_review_params"
SPLITS = ("test", "validation", TRAIN_SPLIT)
SPLIT_LABELS = {"test": "test", "validation": "validation",
                TRAIN_SPLIT: "train (cross-validated: TF-IDF and sentence embeddings)"}
TAGS = {"": "any", "confidently_wrong": "confidently wrong (≥ 90 %)", "almost_correct": "almost correct (gold 2nd)",
        "uncertain": "uncertain (top two within 10 points)"}
SUSPECT_HELP = (f"Suspects are the {SUSPECT_SHARE:.0%} of this split's rows whose gold label cleanlab scores lowest "
                "(label quality = the probability given to the gold label, out of sample). The ranked operating point "
                "is used, not cleanlab's own flags: on AG News with 5 % flipped labels the top 4 % caught flips at "
                "precision 0.80, cleanlab's flags at 0.55 (bench/README.md).")


def review_query(sweep_id: str, run_id: str, split: str = "test", true_id: int | None = None) -> dict[str, str]:
    """Query parameters that open the Errors page on a run's suspects of one split, optionally of one gold label."""
    params = {"sweep": sweep_id, "run": run_id, "split": split, "suspects": "1"}
    if true_id is not None:
        params["true"] = str(true_id)
    return params


def sync_review_params(sweep_id: str, run_id: str) -> None:
    """Call before the split, suspect and tag widgets: a new link sets them once, after that they write the URL."""
    url = tuple(st.query_params.get(name, "") for name in ("split", "suspects", "tag"))
    if st.session_state.get(APPLIED_KEY) != (*url, sweep_id, run_id):
        split, suspects, tag = url
        st.session_state[SPLIT_KEY] = split if split in SPLITS else "test"
        st.session_state[SUSPECTS_KEY] = suspects == "1"
        st.session_state[TAG_KEY] = tag if tag in TAGS else ""
        if suspects == "1":  # a suspect may be a row the model got right: show every suspect the link counted
            st.session_state[ONLY_ERRORS_KEY] = False


def write_review_params(sweep_id: str, run_id: str) -> None:
    """Call after the widgets: their choice goes into the URL so the address can be shared."""
    chosen = {"split": st.session_state.get(SPLIT_KEY, "test"),
              "suspects": "1" if st.session_state.get(SUSPECTS_KEY) else "", "tag": st.session_state.get(TAG_KEY, "")}
    for name, value in chosen.items():
        if value and not (name == "split" and value == "test"):
            st.query_params[name] = value
        else:
            st.query_params.pop(name, None)
    url = tuple(st.query_params.get(name, "") for name in ("split", "suspects", "tag"))
    st.session_state[APPLIED_KEY] = (*url, sweep_id, run_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _stored_review(sweep: SweepRecord, run_id: str, version: FileVersion) -> LabelReview:
    return label_review(get_store(), sweep, run_id)


def run_review(store: ArtifactStore, sweep: SweepRecord, run_id: str) -> LabelReview | None:
    """The run's label review; computed with a spinner on its first view; None (with a warning) if it fails."""
    try:
        if review_is_cached(store, sweep.sweep_id, run_id):
            version = file_version(store.paths.label_review_file(sweep.sweep_id, run_id))
            return _stored_review(sweep, run_id, version)
        with st.spinner("Looking for suspected label errors (cleanlab; the training rows are cross-validated with "
                        "TF-IDF once, then kept)…"):
            review = label_review(store, sweep, run_id)
    except (ArtifactError, OSError, ValueError) as exc:
        st.warning(f"Suspected label errors are not available for this run: {exc}", icon=":material/report:")
        return None
    if review.train_note:
        st.caption(f"Only test and validation rows are reviewed: {review.train_note}.")
    return review


def review_filter_row(review: LabelReview | None) -> tuple[bool, str]:
    """The 'suspected label errors' toggle and the smart-tag box; (suspects only, tag name or '')."""
    left, right = st.columns([1, 2])
    suspects = left.toggle("Suspected label errors only", key=SUSPECTS_KEY, disabled=review is None,
                           help=SUSPECT_HELP)
    tag = right.selectbox("Smart tag", tuple(TAGS), format_func=TAGS.__getitem__, key=TAG_KEY,
                          help="Confidently wrong: wrong at 90 % confidence or more. Almost correct: wrong, and the "
                               "gold label was the second choice. Uncertain: the top two classes within 10 points.")
    return bool(suspects and review is not None), tag


def verdict_text(verdict: Verdict | None, names: tuple[str, ...] = AG_NEWS.names) -> str:
    """'relabel → Sports', 'remove', 'keep (model wrong)' or ''."""
    if verdict is None:
        return ""
    if verdict.kind is VerdictKind.RELABEL:
        new = verdict.new_label
        return f"relabel → {names[new] if new is not None and 0 <= new < len(names) else new}"
    return "remove" if verdict.kind is VerdictKind.REMOVE else "keep (model wrong)"


def with_review_columns(table: pd.DataFrame, rows: pd.DataFrame, verdicts: dict[str, Verdict],
                        names: tuple[str, ...] = AG_NEWS.names) -> pd.DataFrame:
    """The readable table plus label quality, suspect rank and the current verdict of each row."""
    keys = rows["text_key"].tolist() if "text_key" in rows.columns else text_keys(rows["text"])
    table = table.copy()
    if "label_quality" in rows.columns:
        table.insert(1, "suspect rank", rows["suspect_rank"].to_numpy())
        table.insert(2, "label quality", rows["label_quality"].to_numpy())
    table.insert(1, "verdict", [verdict_text(verdicts.get(key), names) for key in keys])
    return table


def row_key(row: pd.Series) -> str:
    """The text key of one row of the review or predictions frame."""
    key = row.get("text_key")
    return str(key) if isinstance(key, str) and key else text_keys([row["text"]])[0]
