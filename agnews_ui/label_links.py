"""Links to the Errors page, one per label: a row of links for a few labels, a searchable picker for many."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from agnews_ui import page_registry

ROW_OF_LINKS_UP_TO = 8  # more links than this no longer fit one row


def label_links(names: Sequence[str], text_of: Callable[[int, str], str], query_of: Callable[[int], dict[str, str]],
                key: str, icon: str | None = None) -> None:
    """One Errors link per label: side by side for a few labels; past that a searchable picker and its link."""
    if len(names) <= ROW_OF_LINKS_UP_TO:
        for column, (i, name) in zip(st.columns(len(names)), enumerate(names), strict=True):
            with column:
                page_registry.link(page_registry.ERRORS, text_of(i, name), icon, query_of(i))
        return
    chosen = st.selectbox("Label", range(len(names)), format_func=lambda i: names[i], key=key,
                          help="Type to search the labels.")
    page_registry.link(page_registry.ERRORS, text_of(chosen, names[chosen]), icon, query_of(chosen))
