"""Compare: two finished runs (across sweeps, TF-IDF baselines included) on the same test rows, with McNemar's test,
and the rows B fixed, broke or both missed."""

import streamlit as st

from agnews_ui import page_registry
from agnews_ui.compare_view import choices_or_hint, pick_pair, show_comparison, show_rows
from agnews_ui.pickers import list_sweeps_and_warn

page_registry.ensure_app_navigation(__file__)

st.title("Compare")
list_sweeps_and_warn()
choices = choices_or_hint()
run_a, run_b = pick_pair(choices)
result = show_comparison(run_a, run_b)
if result is not None:
    show_rows(result, run_a, run_b)
