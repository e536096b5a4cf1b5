"""Compare two runs on screen: the pickers (?a=, ?b=), the 2x2 table with McNemar's test, and the rows B fixed,
broke or both missed (?rows=), each with both predictions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from agnews_core.analysis.comparable_runs import (
    TFIDF_RUN,
    RowSet,
    RunChoice,
    comparable_runs,
    default_pair,
    load_run_predictions,
    rows_of_b,
)
from agnews_core.analysis.error_filters import page_of, readable_table
from agnews_core.analysis.run_comparison import RunComparison, compare_runs
from agnews_core.labels import AG_NEWS
from agnews_core.modeling.prediction_frames import frame_labels
from agnews_core.store.artifact_store import ArtifactError
from agnews_ui import page_registry
from agnews_ui.resources import FileVersion, file_version
from agnews_ui.resources import store as get_store

ROWS_PARAM = "rows"
ERRORS_LINK_PARAM = "compare"  # on an Errors link to a comparison's rows (Compare has them now)
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


def from_errors_link(params: dict[str, str]) -> dict[str, str]:
    """Compare's query parameters for an Errors link to a comparison's rows (?sweep=&run= B, ?compare= A, ?rows=)."""
    forwarded = {"a": params.get(ERRORS_LINK_PARAM, ""), "b": f"{params.get('sweep', '')}/{params.get('run', '')}"}
    return forwarded | ({ROWS_PARAM: params[ROWS_PARAM]} if ROWS_PARAM in params else {})


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
    for name, wanted, shown in (("A", wanted_a, a), ("B", wanted_b, b)):
        if wanted and wanted not in by_key:
            st.warning(f"The link's run {name} ({wanted}) is not a finished run with stored predictions: "
                       f"{by_key[shown].label} is shown instead.", icon=":material/link_off:")
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


def show_comparison(a: RunChoice, b: RunChoice) -> RunComparison | None:
    """The 2x2 table and McNemar's p-value in a sentence; None (with the reason shown) when they cannot be compared."""
    if a.key == b.key:
        st.info("A and B are the same run: pick two different runs.", icon=":material/info:")
        return None
    try:
        result = comparison((a.sweep_id, a.run_id), (b.sweep_id, b.run_id))
    except (ArtifactError, ValueError) as exc:
        st.error(f"These two runs cannot be compared: {exc}", icon=":material/block:")
        return None
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
    return result


def show_rows(result: RunComparison, a: RunChoice, b: RunChoice) -> None:
    """Pick a set (kept in ?rows=), then its rows as B predicted them, with A's prediction beside."""
    counts = {RowSet.FIXED: result.table.only_b, RowSet.BROKEN: result.table.only_a,
              RowSet.BOTH_MISSED: result.table.both_wrong}
    wanted = st.query_params.get(ROWS_PARAM)
    if wanted and wanted not in set(RowSet):
        st.warning(f"The link's rows={wanted} is not one of {', '.join(RowSet)}: pick a set below.",
                   icon=":material/link_off:")
    rows = st.segmented_control("Show the rows", list(RowSet), key="compare_rows",
                                default=RowSet(wanted) if wanted in set(RowSet) else None,
                                format_func=lambda r: f"{r.caption.split(' (')[0]} ({counts[r]:,})")
    if rows is None:
        st.query_params.pop(ROWS_PARAM, None)
        return
    st.query_params[ROWS_PARAM] = str(rows)
    chosen = rows_of_b(result, run_frame(b.sweep_id, b.run_id), rows, run_frame(a.sweep_id, a.run_id))
    st.info(f"{len(chosen):,} {rows.caption}. Each row shows run B's prediction and probabilities, and what A "
            "predicted.", icon=":material/compare_arrows:")
    if not chosen.empty:
        _table(chosen, (b.sweep_id, b.run_id), f"{a.key}-{b.key}-{rows}")


def _table(chosen: pd.DataFrame, b: tuple[str, str], key: str) -> None:
    from agnews_ui.attribution_view import why_this_row

    pages = page_of(chosen, 1, PAGE_SIZE)[2]
    page = st.number_input(f"Page (of {pages})", 1, pages, key=f"compare-rows-page-{key}") if pages > 1 else 1
    shown = page_of(chosen, int(page), PAGE_SIZE)[0]
    table = readable_table(shown)
    names = frame_labels(shown).names if any(str(c).startswith("p_") for c in shown.columns) else AG_NEWS.names
    table.insert(3, "A predicted", shown["predicted_a"].map(lambda i: names[int(i)]).to_numpy())
    percent = {c: st.column_config.ProgressColumn(c, min_value=0.0, max_value=1.0, format="percent", width="small")
               for c in table.columns if c.startswith("P(") or c == "confidence"}
    selection = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                             key=f"compare-rows-{key}-{page}",
                             column_config={"text": st.column_config.TextColumn("text", width="large"), **percent})
    picked = selection.selection.rows if selection else []
    if picked and picked[0] < len(table):
        row = table.iloc[picked[0]]
        with st.container(border=True):
            st.caption(f"True {row['true label']}, B predicted {row['predicted']} at {row['confidence']:.1%}")
            st.text(row["text"])
        if b[1] != TFIDF_RUN:
            why_this_row(b[0], b[1], row["text"], row["predicted"])
