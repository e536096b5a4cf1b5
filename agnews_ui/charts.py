"""Plotly figures for the pages: loss curves, accuracy bars, confusion matrix, probabilities."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from agnews_core.analysis.run_table import AccuracyBar
from agnews_core.labels import AG_NEWS
from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.modeling.metrics import row_percentages
from agnews_core.store.records import RunRecord

# One colour per learning rate, by its position in the sweep, on every chart and table.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a")
BASELINE_COLOURS = {UNTRAINED: "#9e9e9e", TFIDF: "#607d8b"}


def lr_colour(index: int) -> str:
    """The colour of the run at this position in its sweep."""
    return PALETTE[index % len(PALETTE)]


def loss_figure(runs: Sequence[RunRecord], which: str, x_axis: str = "step", title: str = "") -> go.Figure:
    """Training ('train') or eval ('eval') loss per learning rate, by step or epoch."""
    figure = go.Figure()
    for run in runs:
        points = run.train_loss if which == "train" else run.eval_loss
        if not points:
            continue
        xs = [p.step if x_axis == "step" else p.epoch for p in points]
        figure.add_trace(go.Scatter(
            x=xs, y=[p.loss for p in points], name=f"lr {run.lr_label}", mode="lines+markers" if which == "eval" else "lines",
            line={"color": lr_colour(run.index)},
            hovertemplate=f"lr {run.lr_label}<br>{x_axis} %{{x}}<br>loss %{{y:.4f}}<extra></extra>",
        ))
    figure.update_layout(
        title=title or ("Training loss" if which == "train" else "Eval loss (validation rows)"),
        xaxis_title=x_axis, yaxis_title="loss", legend_title="learning rate", height=360,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return figure


def accuracy_figure(names: Sequence[str], accuracies: Sequence[float], colours: Sequence[str]) -> go.Figure:
    """Horizontal bars of accuracy in percent, one per model."""
    values = [a * 100 for a in accuracies]
    figure = go.Figure(go.Bar(
        x=values, y=list(names), orientation="h", marker_color=list(colours),
        text=[f"{v:.1f}%" for v in values], textposition="auto",
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    ))
    figure.update_layout(xaxis={"title": "test accuracy (%)", "range": [0, 100]}, height=90 + 45 * len(values),
                         margin={"l": 10, "r": 10, "t": 10, "b": 10}, yaxis={"autorange": "reversed"})
    return figure


def accuracy_bars_figure(bars: Sequence[AccuracyBar]) -> go.Figure:
    """accuracy_figure for the bars of a sweep: baselines in greys, each run in its learning rate's colour."""
    colours = [BASELINE_COLOURS.get(b.name, "#9e9e9e") if b.run_index is None else lr_colour(b.run_index)
               for b in bars]
    return accuracy_figure([b.name for b in bars], [b.accuracy for b in bars], colours)


def confusion_figure(confusion: Sequence[Sequence[int]], title: str, names: Sequence[str] = AG_NEWS.names,
                     order: Sequence[int] | None = None) -> go.Figure:
    """Heatmap of counts with row percentages; the diagonal is dimmed so errors stand out. `order` lists the class
    ids in display order (confused classes together); past a dozen classes the cells show no text, only hover."""
    percentages = row_percentages(confusion)
    ids = list(order) if order is not None else list(range(len(names)))
    labels = [names[i] for i in ids]
    dense = len(ids) > 12
    # Colour by error share: diagonal cells get 0 so they stay pale whatever their count.
    shade = [[0.0 if t == p else percentages[t][p] for p in ids] for t in ids]
    text = [[f"{confusion[t][p]}<br>{percentages[t][p]:.1f}%" for p in ids] for t in ids]
    figure = go.Figure(go.Heatmap(
        z=shade, x=labels, y=labels, text=None if dense else text, texttemplate=None if dense else "%{text}",
        customdata=[[confusion[t][p] for p in ids] for t in ids],
        colorscale="Reds", showscale=False, xgap=1 if dense else 2, ygap=1 if dense else 2, hoverinfo="skip",
    ))
    # Plotly heatmaps cannot be selected, so st.plotly_chart(on_select=...) never sees a click on a cell:
    # an invisible square marker over each cell carries the click (and the hover) instead.
    cells = [(t, p) for t in ids for p in ids]
    height = 420 if not dense else min(1600, 160 + 18 * len(ids))
    figure.add_trace(go.Scatter(
        x=[names[p] for _, p in cells], y=[names[t] for t, _ in cells], mode="markers", showlegend=False,
        marker={"symbol": "square", "size": max(6, min(80, (height - 160) // max(1, len(ids)))), "opacity": 0},
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
        customdata=[confusion[t][p] for t, p in cells],
        hovertemplate="true %{y}, predicted %{x}<br>%{customdata} rows<extra></extra>",
    ))
    figure.update_layout(
        title=title, xaxis={"title": "predicted label", "side": "top", "type": "category"},
        yaxis={"title": "true label", "autorange": "reversed", "type": "category"}, height=height,
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
    )
    return figure


OTHERS = "others"


def probability_figure(probabilities: Sequence[float], chosen: int, names: Sequence[str] = AG_NEWS.names,
                       top: int = 10) -> go.Figure:
    """Bar per class probability, the predicted class highlighted; past `top` classes the most probable `top`
    in descending order and one bar for all others."""
    pairs = list(enumerate(probabilities))
    if len(pairs) > top:
        ranked = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
        rest = sum(p for _, p in ranked[top:])
        pairs = [*ranked[:top], (-1, rest)]
    x = [names[i] if i >= 0 else f"{OTHERS} ({len(probabilities) - top})" for i, _ in pairs]
    values = [p * 100 for _, p in pairs]
    colours = ["#1f77b4" if i == chosen else "#e0e0e0" if i < 0 else "#c7d4e4" for i, _ in pairs]
    figure = go.Figure(go.Bar(x=x, y=values, marker_color=colours,
                              text=[f"{v:.1f}%" for v in values], textposition="auto",
                              hovertemplate="%{x}: %{y:.1f}%<extra></extra>"))
    figure.update_layout(yaxis={"title": "probability (%)", "range": [0, 100]}, height=300,
                         margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return figure
