"""Calibration on screen: the Accuracy page's reliability diagram and ECE, the Predict page's calibrated confidence."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from agnews_core.analysis.calibration import BINS, CalibrationReport, Reliability, apply_temperature, calibrate_run
from agnews_core.store.artifact_store import ArtifactError
from agnews_ui.format import pct
from agnews_ui.resources import FileVersion, file_version, load_predictions
from agnews_ui.resources import store as get_store


@st.cache_data(show_spinner="Fitting the temperature…", max_entries=16)
def _calibration(sweep_id: str, run_id: str, version: FileVersion) -> CalibrationReport:
    return calibrate_run(load_predictions(sweep_id, run_id))


def run_calibration(sweep_id: str, run_id: str) -> CalibrationReport:
    """A run's calibration report, fitted again when its predictions file changes; ValueError/ArtifactError if none."""
    version = file_version(get_store().paths.predictions_file(sweep_id, run_id))
    if version is None:
        raise ArtifactError("this run has no stored predictions")
    return _calibration(sweep_id, run_id, version)


def reliability_figure(before: Reliability, after: Reliability | None = None) -> go.Figure:
    """Accuracy per confidence bin as bars (row count on each bar), the diagonal as perfect calibration."""
    frame = before.frame()
    figure = go.Figure(go.Bar(
        x=frame["center"].tolist(), y=(frame["accuracy"] * 100).tolist(), width=1 / len(frame), name="accuracy (stored confidence)",
        marker={"color": "#1f77b4", "line": {"color": "white", "width": 1}},
        text=[f"{c:,}" if c else "" for c in frame["count"]], textposition="outside",
        customdata=frame[["lower", "upper", "count", "mean_confidence"]].to_numpy().tolist(),
        hovertemplate=("confidence %{customdata[0]:.0%}–%{customdata[1]:.0%}<br>%{customdata[2]:,} rows<br>"
                       "accuracy %{y:.1f}%<br>mean confidence %{customdata[3]:.1%}<extra></extra>"),
    ))
    if after is not None:
        scaled = after.frame()
        figure.add_trace(go.Scatter(x=scaled["center"].tolist(), y=(scaled["accuracy"] * 100).tolist(), mode="markers",
                                    name="accuracy after temperature scaling",
                                    marker={"color": "#ff7f0e", "size": 9, "symbol": "diamond"},
                                    hovertemplate="after scaling: accuracy %{y:.1f}%<extra></extra>"))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 100], mode="lines", name="perfect calibration",
                                line={"color": "#7f7f7f", "dash": "dash"}, hoverinfo="skip"))
    figure.update_layout(
        xaxis={"title": f"confidence ({len(frame)} equal-width bins; number on a bar = test rows in it)",
               "range": [0, 1], "tickformat": ".0%"},
        yaxis={"title": "accuracy (%)", "range": [0, 109]}, height=420, bargap=0,
        legend={"orientation": "h", "y": -0.25}, margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return figure


def calibration_section(sweep_id: str, run_id: str, lr_label: str) -> None:
    """The Accuracy page's 'Can the confidence be trusted?' section."""
    st.subheader(f"Calibration, lr {lr_label}")
    try:
        report = run_calibration(sweep_id, run_id)
    except (ArtifactError, ValueError) as exc:
        st.info(f"No calibration for this run: {exc}", icon=":material/info:")
        return
    numbers = st.columns(3)
    numbers[0].metric("Expected calibration error", pct(report.ece_before),
                      help=f"{BINS} equal-width confidence bins on {report.test_rows:,} test rows: the row-weighted "
                           "mean gap between confidence and accuracy. 0 means confidence can be read as accuracy.")
    numbers[1].metric("ECE after temperature scaling", pct(report.ece_after),
                      delta=f"{(report.ece_after - report.ece_before) * 100:+.1f} points", delta_color="inverse")
    numbers[2].metric("Temperature", f"{report.temperature:.2f}",
                      help=f"One scalar fitted on {report.validation_rows:,} validation rows (minimum log-loss); "
                           "above 1 the model was over-confident, below 1 under-confident.")
    st.plotly_chart(reliability_figure(report.before, report.after), key=f"reliability-{sweep_id}-{run_id}")
    st.caption("Bars: accuracy of the test rows in each confidence bin, with their count; a bar below the dashed "
               "diagonal means the model was more confident than right. Diamonds: the same after temperature scaling "
               "(fitted on validation rows, never on test rows). The Predict page shows this calibrated confidence.")


def run_temperature(sweep_id: str, run_id: str) -> float | None:
    """The temperature fitted on a run's validation rows; None when it cannot be fitted (untrained, no predictions)."""
    try:
        return run_calibration(sweep_id, run_id).temperature
    except (ArtifactError, ValueError):
        return None


def calibrated_confidence(probabilities: tuple[float, ...], label_id: int, temperature: float) -> float:
    """The label's probability after temperature scaling."""
    return float(apply_temperature([list(probabilities)], temperature)[0][label_id])
