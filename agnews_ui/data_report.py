"""One way to show a data set's report: rows per split, class balance, text lengths, examples and problems.

The same for the bundled sample, a registered data set and a file before registration.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from agnews_core.data.health import DROPPABLE, EXAMPLES, TEST, TITLES, TRAIN, ProblemKind
from agnews_ui.data_summary import MAX_LENGTH, DataSummary

MANY_CLASSES = 15  # past this, class balance is a sorted horizontal bar chart
PICK_CLASS_PAST = 8  # past this, examples are shown for one class picked from a searchable list
SPLIT_COLOURS = {TRAIN: "#1f77b4", TEST: "#ff7f0e"}
# What a problem's count counts (singular, plural): rows, except these.
COUNTED = {ProblemKind.CONFLICTING_LABELS: ("text", "texts"), ProblemKind.SMALL_CLASS: ("class", "classes")}


def show_report(summary: DataSummary, key: str) -> None:
    """Counts, class balance, lengths, examples per class and problems; key keeps widgets apart."""
    rows = summary.report["rows"]
    train, test, classes = st.columns(3)
    train.metric("Train rows", f"{rows.get(TRAIN, 0):,}")
    test.metric("Test rows", f"{rows.get(TEST, 0):,}")
    classes.metric("Classes", f"{len(summary.label_names):,}")
    st.subheader("Class balance")
    st.plotly_chart(class_balance_figure(summary.report["class_rows"], summary.label_names), key=f"{key}:classes")
    st.subheader("Text length")
    show_lengths(summary)
    st.subheader("Examples per class")
    show_examples(summary, key)
    st.subheader("Problems")
    show_problems(summary.report["problems"])


def class_balance_figure(class_rows: dict[str, dict[str, int]], names: tuple[str, ...]) -> go.Figure:
    """Rows per class, train beside test; many classes as horizontal bars sorted by train rows, one line each."""
    counts = {split: [int(class_rows.get(split, {}).get(n, 0)) for n in names] for split in (TRAIN, TEST)}
    figure = go.Figure()
    if len(names) > MANY_CLASSES:
        order = sorted(range(len(names)), key=lambda i: (counts[TRAIN][i], names[i]))  # largest at the top
        for split in (TRAIN, TEST):
            figure.add_bar(y=[names[i] for i in order], x=[counts[split][i] for i in order], orientation="h",
                           name=split, marker_color=SPLIT_COLOURS[split])
        figure.update_layout(barmode="group", height=120 + 22 * len(names), xaxis_title="rows",
                             yaxis={"type": "category", "dtick": 1})
    else:
        for split in (TRAIN, TEST):
            figure.add_bar(x=list(names), y=counts[split], name=split, marker_color=SPLIT_COLOURS[split])
        figure.update_layout(barmode="group", height=360, yaxis_title="rows", xaxis={"type": "category"})
    figure.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text="split")
    return figure


def length_cap(p95: float) -> int:
    """Where the histogram stops: a few very long texts would squeeze every other bar into one."""
    return int(max(4 * p95, 1.25 * MAX_LENGTH))


def length_figure(lengths: tuple[int, ...], unit: str, cap: int) -> go.Figure:
    """Histogram of text lengths up to cap, the sweep's default max length marked when counting tokens."""
    shown = [n for n in lengths if n <= cap]
    figure = go.Figure(go.Histogram(x=shown, nbinsx=60, marker_color=SPLIT_COLOURS[TRAIN]))
    if unit == "tokens":
        figure.add_vline(x=MAX_LENGTH, line_dash="dash", line_color="#d62728",
                         annotation_text=f"max length {MAX_LENGTH}", annotation_position="top right")
    figure.update_layout(height=300, xaxis_title=f"{unit} per text", yaxis_title="texts", bargap=0.05,
                         margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return figure


def show_lengths(summary: DataSummary) -> None:
    """Length metrics, the histogram and how they were measured."""
    lengths = summary.lengths
    if not lengths.measured_rows:
        st.info("No texts to measure.", icon=":material/info:")
        return
    unit = lengths.unit
    mean, median, p95, longest = st.columns(4)
    mean.metric(f"Mean ({unit})", f"{lengths.mean:,.1f}")
    median.metric(f"Median ({unit})", f"{lengths.p50:,.0f}")
    p95.metric(f"95th percentile ({unit})", f"{lengths.p95:,.0f}")
    longest.metric(f"Longest ({unit})", f"{lengths.maximum:,}")
    cap = length_cap(lengths.p95)
    st.plotly_chart(length_figure(lengths.lengths, unit, cap))
    note = f"Lengths {summary.length_note}."
    beyond = sum(n > cap for n in lengths.lengths)
    if beyond:
        note += f" {beyond:,} longer than {cap:,} {unit} are left off the chart."
    if unit == "tokens":
        over = float(np.mean(np.asarray(lengths.lengths) > MAX_LENGTH))
        note += f" {over * 100:.1f}% are longer than {MAX_LENGTH} tokens, the sweep's default max length (cut there)."
    st.caption(note)


def show_examples(summary: DataSummary, key: str) -> None:
    """The first training rows of each class; one class at a time, picked from a searchable list, when many."""
    examples = summary.examples
    if examples.empty:
        st.info("No training rows with both a text and a label.", icon=":material/info:")
        return
    if len(summary.label_names) > PICK_CLASS_PAST:
        present = [n for n in summary.label_names if n in set(examples["label"])]
        chosen = st.selectbox("Class", present, key=f"{key}:class",
                              help="Type to search the class names.")
        examples = examples[examples["label"] == chosen]
    st.dataframe(examples, hide_index=True, width="stretch",
                 column_config={"text": st.column_config.TextColumn("text", width="large")})


def show_problems(problems: list[dict[str, Any]]) -> None:
    """Each problem found with its count, what it means and its first examples; success when there are none."""
    found = [p for p in problems if p["count"]]
    if not found:
        st.success("No problems found: no blank texts, missing labels, duplicates, conflicting labels, "
                   "test texts in train or small classes.", icon=":material/check_circle:")
        return
    for problem in found:
        kind = ProblemKind(problem["kind"])
        title, explanation = TITLES[kind]
        count = int(problem["count"])
        unit = COUNTED.get(kind, ("row", "rows"))[count != 1]
        st.warning(f"**{title}: {count:,} {unit}.** {explanation}", icon=":material/report:")
        examples = pd.DataFrame(problem.get("examples") or [])
        if not examples.empty:
            st.dataframe(examples, hide_index=True, width="stretch")
            if count > len(examples):
                st.caption(f"The first {min(len(examples), EXAMPLES)} of {count:,}.")


def droppable_text(problems: list[dict[str, Any]]) -> str:
    """'2 empty or blank texts, 1 missing labels' for the problems dropped at registration."""
    counts = {ProblemKind(p["kind"]): int(p["count"]) for p in problems}
    return ", ".join(f"{counts[k]:,} {TITLES[k][0].lower()}" for k in DROPPABLE if counts.get(k))
