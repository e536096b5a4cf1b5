"""Compare two runs on screen: the pickers, the 2x2 table with McNemar's test, and the Errors page's view of the
rows B fixed, broke or both missed (?sweep=&run= name B, ?compare= names A, ?rows= the set)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from agnews_core.analysis.comparable_runs import (
    TFIDF_RUN,
    RowSet,
    RunChoice,
    comparable_runs,
    default_pair,
    describe,
    load_run_predictions,
    parse_key,
    rows_of_b,
)
from agnews_core.analysis.error_filters import page_of, readable_table
from agnews_core.analysis.run_comparison import RunComparison, compare_runs
from agnews_core.labels import LABELS
from agnews_core.store.artifact_store import ArtifactError
from agnews_ui import page_registry
from agnews_ui.page_registry import COMPARE, ERRORS
from agnews_ui.resources import FileVersion, file_version
from agnews_ui.resources import store as get_store

COMPARE_PARAM, ROWS_PARAM = "compare", "rows"
PAGE_SIZE = 50


def _version(sweep_id: str, run_id: str) -> FileVersion:
    paths = get_store().paths
    return file_version(paths.tfidf_predictions_file(sweep_id) if run_id == TFIDF_RUN
                        else paths.predictions_file(sweep_id, run_id))


@st.cache_data(show_spinner=False, max_entries=16)
def _frame(sweep_id: str, run_id: str, version: FileVersion) -> pd.DataFrame:
    return load_run_predictions(get_store(), sweep_id, run_id)


def run_frame(sweep_id: str, run_id: str) -> pd.DataFrame:
    """A run's (or TF-IDF baseline's) prediction frame, read again when its file changes."""
    return _frame(sweep_id, run_id, _version(sweep_id, run_id))


@st.cache_data(show_spinner="Comparing the runs row by row…", max_entries=16)
def _comparison(a: tuple[str, str], b: tuple[str, str], versions: tuple[FileVersion, FileVersion]) -> RunComparison:
    return compare_runs(run_frame(*a), run_frame(*b), "A", "B")


def comparison(a: tuple[str, str], b: tuple[str, str]) -> RunComparison:
    """Run B against run A on their test rows; ValueError (different rows) or ArtifactError (unreadable files)."""
    return _comparison(a, b, (_version(*a), _version(*b)))


def errors_params(a: RunChoice | tuple[str, str], b: RunChoice | tuple[str, str], rows: RowSet) -> dict[str, str]:
    """Query parameters that open the Errors page on one row set of a comparison."""
    a_id = (a.sweep_id, a.run_id) if isinstance(a, RunChoice) else a
    b_id = (b.sweep_id, b.run_id) if isinstance(b, RunChoice) else b
    return {"sweep": b_id[0], "run": b_id[1], COMPARE_PARAM: "/".join(a_id), ROWS_PARAM: str(rows)}


def pick_pair(choices: list[RunChoice]) -> tuple[RunChoice, RunChoice]:
    """Two select boxes (A, B), kept in ?a= and ?b=; by default comparable_runs.default_pair."""
    keys = [c.key for c in choices]
    by_key = {c.key: c for c in choices}
    default_a, default_b = default_pair(choices)
    wanted_a, wanted_b = st.query_params.get("a"), st.query_params.get("b")
    left, right = st.columns(2)
    a = left.selectbox("Run A (the reference)", keys, index=keys.index(wanted_a if wanted_a in keys else default_a.key),
                       format_func=lambda k: by_key[k].label, key="compare_a")
    b = right.selectbox("Run B (the challenger)", keys, index=keys.index(wanted_b if wanted_b in keys else default_b.key),
                        format_func=lambda k: by_key[k].label, key="compare_b")
    st.query_params["a"], st.query_params["b"] = a, b
    return by_key[a], by_key[b]


def choices_or_hint() -> list[RunChoice]:
    """Every comparable run; stops the page with a hint when there are fewer than two."""
    choices = comparable_runs(get_store())
    if len(choices) < 2:
        st.info("Comparing needs two finished runs (a sweep's TF-IDF baseline counts as one): start a sweep on the "
                "Sweep page.", icon=":material/info:")
        page_registry.link(page_registry.SWEEP, "Go to Sweep")
        st.stop()
    return choices


def table_frame(result: RunComparison) -> pd.DataFrame:
    """The 2x2 table: rows A right / A wrong, columns B right / B wrong."""
    t = result.table
    return pd.DataFrame({"B right": [t.both_right, t.only_b], "B wrong": [t.only_a, t.both_wrong]},
                        index=["A right", "A wrong"])


def show_comparison(a: RunChoice, b: RunChoice) -> None:
    """The 2x2 table, McNemar's p-value in a sentence and links to the rows in the Errors view."""
    if a.key == b.key:
        st.info("A and B are the same run: pick two different runs.", icon=":material/info:")
        return
    try:
        result = comparison((a.sweep_id, a.run_id), (b.sweep_id, b.run_id))
    except (ArtifactError, ValueError) as exc:
        st.error(f"These two runs cannot be compared: {exc}", icon=":material/block:")
        return
    t = result.table
    st.markdown(f"**{result.sentence}**")
    numbers = st.columns(4)
    numbers[0].metric("Both right", f"{t.both_right:,}")
    numbers[1].metric("Only A right (B broke)", f"{t.only_a:,}")
    numbers[2].metric("Only B right (B fixed)", f"{t.only_b:,}")
    numbers[3].metric("Both wrong", f"{t.both_wrong:,}")
    st.dataframe(table_frame(result), width="content")
    st.caption(f"{t.rows:,} test rows, matched by text. McNemar's exact test looks only at the {t.discordant:,} rows "
               f"where exactly one run is right (two-sided binomial test against 50/50). A: {a.label}. B: {b.label}.")
    links = st.columns(3)
    for column, rows, count in zip(links, RowSet, (t.only_b, t.only_a, t.both_wrong), strict=True):
        with column:
            page_registry.link(ERRORS, f"Open the {count:,} {rows.caption.split(' (')[0]}", ":material/rule:",
                               errors_params(a, b, rows))


def compare_rows_requested() -> bool:
    """True when the Errors page was opened from Compare (?compare= in the URL)."""
    return COMPARE_PARAM in st.query_params


def show_compare_rows() -> None:
    """The Errors page opened from Compare: run B's rows of one set, with a caption naming A, B and the set; stops."""
    store = get_store()
    try:
        a = parse_key(st.query_params.get(COMPARE_PARAM, ""))
        b = (st.query_params.get("sweep", ""), st.query_params.get("run", ""))
        rows = RowSet(st.query_params.get(ROWS_PARAM, RowSet.FIXED))
        result = comparison(a, b)
        chosen = rows_of_b(result, run_frame(*b), rows, run_frame(*a))
    except (ArtifactError, ValueError) as exc:
        st.error(f"This comparison link cannot be opened: {exc}", icon=":material/block:")
        page_registry.link(COMPARE, "Go to Compare")
        st.stop()
    st.info(f"Comparison: {len(chosen):,} {rows.caption}. A = {describe(store, *a)}, B = {describe(store, *b)}. "
            "Each row shows run B's prediction and probabilities, and what A predicted.", icon=":material/compare_arrows:")
    nav = st.columns(3)
    with nav[0]:
        page_registry.link(COMPARE, "Back to Compare", query_params={"a": "/".join(a), "b": "/".join(b)})
    for column, other in zip(nav[1:], [r for r in RowSet if r != rows], strict=True):
        with column:
            page_registry.link(ERRORS, f"Show the {other.caption.split(' (')[0]}", ":material/rule:",
                               errors_params(a, b, other))
    if chosen.empty:
        st.stop()
    _table(chosen, b)
    st.stop()


def _table(chosen: pd.DataFrame, b: tuple[str, str]) -> None:
    from agnews_ui.attribution_view import why_this_row

    pages = page_of(chosen, 1, PAGE_SIZE)[2]
    page = st.number_input(f"Page (of {pages})", 1, pages, key="compare_rows_page") if pages > 1 else 1
    shown = page_of(chosen, int(page), PAGE_SIZE)[0]
    table = readable_table(shown)
    table.insert(3, "A predicted", shown["predicted_a"].map(lambda i: LABELS[int(i)]).to_numpy())
    percent = {c: st.column_config.ProgressColumn(c, min_value=0.0, max_value=1.0, format="percent", width="small")
               for c in table.columns if c.startswith("P(") or c == "confidence"}
    selection = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                             key=f"compare-rows-{page}",
                             column_config={"text": st.column_config.TextColumn("text", width="large"), **percent})
    picked = selection.selection.rows if selection else []
    if picked and picked[0] < len(table):
        row = table.iloc[picked[0]]
        with st.container(border=True):
            st.caption(f"True {row['true label']}, B predicted {row['predicted']} at {row['confidence']:.1%}")
            st.text(row["text"])
        if b[1] != TFIDF_RUN:
            why_this_row(b[0], b[1], row["text"], row["predicted"])
