"""Rows chosen on the Map (a box or lasso selection, or an error slice) that the Errors page shows alone.

A slice travels in the URL (?slice=<number>, shareable); a selection is kept in the session (its text keys).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from agnews_core.analysis.error_map import MapUnavailable, error_map
from agnews_core.analysis.error_slices import ErrorSlice, error_slices
from agnews_core.store.artifact_store import ArtifactError
from agnews_core.store.records import SweepRecord
from agnews_core.text_keys import text_keys
from agnews_ui.resources import FileVersion, file_version
from agnews_ui.resources import store as get_store

SLICE_PARAM = "slice"
SELECTION_KEY = "errors_map_selection"  # {"sweep", "run", "keys"} set by the Map page's button


@dataclass(frozen=True)
class ChosenRows:
    """Rows the Errors page narrows to, and how to say where they came from."""

    keys: frozenset[str]
    what: str  # "slice 2 (oil · crude)" or "the 12 rows selected on the Map"


@st.cache_data(show_spinner=False, max_entries=8)
def map_frame(sweep: SweepRecord, run_id: str, map_version: FileVersion, predictions_version: FileVersion,
              embeddings_version: FileVersion) -> pd.DataFrame:
    """A run's map rows (ErrorMap.rows), computed and cached on disk the first time; read again when a file changes."""
    return error_map(get_store(), sweep, run_id).rows


def run_map(sweep: SweepRecord, run_id: str) -> pd.DataFrame:
    """map_frame keyed by the current versions of the run's files; MapUnavailable or ArtifactError when it has none."""
    paths = get_store().paths
    return map_frame(sweep, run_id, file_version(paths.map_file(sweep.sweep_id, run_id)),
                     file_version(paths.predictions_file(sweep.sweep_id, run_id)),
                     file_version(paths.embeddings_file(sweep.sweep_id, run_id)))


@st.cache_data(show_spinner=False, max_entries=8)
def slices_of(sweep: SweepRecord, run_id: str, map_version: FileVersion,
              predictions_version: FileVersion) -> list[ErrorSlice]:
    """The error slices of a run's map as it was at these file versions."""
    return error_slices(run_map(sweep, run_id))


def run_slices(sweep: SweepRecord, run_id: str) -> list[ErrorSlice]:
    """slices_of the run's current map."""
    paths = get_store().paths
    return slices_of(sweep, run_id, file_version(paths.map_file(sweep.sweep_id, run_id)),
                     file_version(paths.predictions_file(sweep.sweep_id, run_id)))


def choose_selection(sweep_id: str, run_id: str, keys: list[str]) -> None:
    """Remember a Map selection for the Errors page (an on_click callback)."""
    st.session_state[SELECTION_KEY] = {"sweep": sweep_id, "run": run_id, "keys": list(keys)}
    st.query_params.pop(SLICE_PARAM, None)


def _forget() -> None:
    st.session_state.pop(SELECTION_KEY, None)
    st.query_params.pop(SLICE_PARAM, None)


def chosen_rows(sweep: SweepRecord, run_id: str) -> ChosenRows | None:
    """The slice in ?slice= (it wins), else this run's Map selection; None when neither is there."""
    number = st.query_params.get(SLICE_PARAM, "")
    if number:
        try:
            with st.spinner("Finding the error slices of this run…"):
                found = {str(s.number): s for s in run_slices(sweep, run_id)}
        except (MapUnavailable, ArtifactError, ValueError) as exc:
            st.warning(f"The slice in this link cannot be shown: {exc}")
            return None
        if number not in found:
            st.warning(f"This run has no error slice {number}: showing every row.")
            return None
        return ChosenRows(frozenset(found[number].error_keys), f"slice {number} ({found[number].name})")
    chosen = st.session_state.get(SELECTION_KEY)
    if chosen and chosen.get("sweep") == sweep.sweep_id and chosen.get("run") == run_id:
        return ChosenRows(frozenset(chosen["keys"]), f"the {len(chosen['keys']):,} rows selected on the Map")
    return None


def keep_chosen(matches: pd.DataFrame, sweep: SweepRecord, run_id: str) -> pd.DataFrame:
    """Only the rows chosen on the Map, with a note that says so and a button back to every row."""
    chosen = chosen_rows(sweep, run_id)
    if chosen is None:
        return matches
    keys = matches["text_key"] if "text_key" in matches.columns else pd.Series(text_keys(matches["text"].astype(str)),
                                                                               index=matches.index)
    kept = matches[keys.isin(chosen.keys).to_numpy()]
    left, right = st.columns([4, 1])
    left.info(f"Showing only {chosen.what}: {len(kept):,} of them match the filters below in this split.",
              icon=":material/scatter_plot:")
    right.button("Show every row", on_click=_forget, icon=":material/filter_alt_off:")
    return kept
