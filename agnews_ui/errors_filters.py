"""The Errors page's filters in the URL (?sweep=&run=&true=&pred=) and in the session, kept in step in one place."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from agnews_core.analysis.error_filters import page_of
from agnews_core.labels import AG_NEWS

ANY_LABEL = "any"
TRUE_KEY, PREDICTED_KEY, PAGE_KEY, APPLIED_KEY = "errors_true", "errors_pred", "errors_page", "errors_applied_params"
_PARAMS = (("true", TRUE_KEY), ("pred", PREDICTED_KEY))


def errors_query(sweep_id: str, run_id: str, true_id: int | None = None,
                 predicted_id: int | None = None) -> dict[str, str]:
    """Query parameters that open the Errors page on one run, optionally on one (true, predicted) pair."""
    params = {"sweep": sweep_id, "run": run_id}
    for name, value in (("true", true_id), ("pred", predicted_id)):
        if value is not None:
            params[name] = str(value)
    return params


def any_option(names: tuple[str, ...]) -> str:
    """The 'any label' choice: 'any', or '(any label)' for a data set with a label named 'any'."""
    return ANY_LABEL if ANY_LABEL not in names else "(any label)"


def label_options(names: tuple[str, ...] = AG_NEWS.names) -> list[str]:
    """The choices of a label filter: any, then the data set's labels in id order."""
    return [any_option(names), *names]


def label_id(name: str, names: tuple[str, ...] = AG_NEWS.names) -> int | None:
    """A label filter's id; None for any (or a name that is no longer a label)."""
    return None if name == any_option(names) or name not in names else names.index(name)


def sync_label_filters(sweep_id: str, run_id: str, names: tuple[str, ...] = AG_NEWS.names) -> None:
    """Call before the label select boxes: a new link sets them once, after that they write the URL.

    A link from another page (new ?true=/?pred=, or another sweep or run) fills the select boxes and goes back to
    page 1; the boxes' choice is then written into the URL (an unknown label in it is dropped) so the address
    can be shared.
    """
    url = tuple(st.query_params.get(name, "") for name, _ in _PARAMS)
    if st.session_state.get(APPLIED_KEY) != (*url, sweep_id, run_id):
        for (_, key), raw in zip(_PARAMS, url, strict=True):
            st.session_state[key] = _label_from_param(raw, names)
        st.session_state[PAGE_KEY] = 1
    for name, key in _PARAMS:
        if st.session_state.get(key) not in label_options(names):  # a label of another run's data set
            st.session_state[key] = any_option(names)
        chosen = label_id(st.session_state.get(key, any_option(names)), names)
        if chosen is None:
            st.query_params.pop(name, None)
        else:
            st.query_params[name] = str(chosen)
    st.session_state[APPLIED_KEY] = (*(st.query_params.get(name, "") for name, _ in _PARAMS), sweep_id, run_id)


def page_picker(matches: pd.DataFrame, page_size: int) -> tuple[pd.DataFrame, int, int]:
    """(rows, page, page count) of the chosen page; a page number box appears when there is more than one."""
    wanted = int(st.session_state.get(PAGE_KEY, 1))
    rows, page, page_count = page_of(matches, wanted, page_size)
    if page != wanted:  # gone after a filter or the page size changed: back to the first page
        rows, page, page_count = page_of(matches, 1, page_size)
    if page_count > 1:
        st.session_state[PAGE_KEY] = page
        st.number_input(f"Page (of {page_count})", 1, page_count, key=PAGE_KEY)
    return rows, page, page_count


def _label_from_param(raw: str, names: tuple[str, ...]) -> str:
    """A label filter from ?true= or ?pred= (a label id); anything else means any label."""
    ids = [str(i) for i in range(len(names))]  # not str.isdigit: it accepts '²', which int() rejects
    return names[ids.index(raw)] if raw in ids else any_option(names)
