"""The Map page's chart: a run's rows as a WebGL scatter coloured by one property, and the rows a selection holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from agnews_core.labels import LabelSet

COLOURINGS = ("gold label", "prediction", "right or wrong", "suspect", "verdict")
HOVER_CHARS = 110
HEIGHT = 620
RIGHT, WRONG = "right", "wrong"
NO_VERDICT = "no verdict"


def colour_values(rows: pd.DataFrame, colouring: str, labels: LabelSet, suspected: pd.Series | None = None,
                  verdicts: dict[str, Any] | None = None) -> pd.Series:
    """The category each row is coloured by: a label name, right/wrong, suspect or not, or a verdict kind."""
    if colouring == "gold label":
        return rows["label"].map(labels.name)
    if colouring == "prediction":
        return rows["predicted"].map(labels.name)
    if colouring == "right or wrong":
        return pd.Series(np.where(rows["correct"], RIGHT, WRONG), index=rows.index)
    if colouring == "suspect":
        flags = suspected if suspected is not None else pd.Series(False, index=rows.index)
        return pd.Series(np.where(flags.to_numpy(dtype=bool), "suspected label error", "not suspected"),
                         index=rows.index)
    if colouring == "verdict":
        kinds = {key: str(v.kind) for key, v in (verdicts or {}).items()}
        return rows["text_key"].map(kinds).fillna(NO_VERDICT)
    raise ValueError(f"unknown colouring {colouring!r} (known: {', '.join(COLOURINGS)})")


def palette(count: int) -> list[str]:
    """One colour per category; past the palette's 24 colours it cycles (40 classes reuse colours in order)."""
    from plotly.express.colors import qualitative

    colours = qualitative.Dark24 if count > len(qualitative.Plotly) else qualitative.Plotly
    return [colours[i % len(colours)] for i in range(count)]


def category_order(values: pd.Series, colouring: str, labels: LabelSet) -> list[str]:
    """Categories in a stable order: labels in id order, wrong before right, the rest by name."""
    present = set(values.unique())
    if colouring in ("gold label", "prediction"):
        return [n for n in labels.names if n in present]
    preferred = [WRONG, RIGHT, "suspected label error", "not suspected"]
    return [v for v in preferred if v in present] + sorted(present - set(preferred))


def map_figure(rows: pd.DataFrame, values: pd.Series, order: Sequence[str], labels: LabelSet) -> Any:
    """One scattergl trace per category (drawn faded where the category is 'right' or 'no verdict'), with each
    row's position in customdata so a selection maps back to rows."""
    import plotly.graph_objects as go

    figure = go.Figure()
    hover = (rows["text"].astype(str).str.slice(0, HOVER_CHARS) + "<br>gold " + rows["label"].map(labels.name)
             + ", predicted " + rows["predicted"].map(labels.name) + " at "
             + (rows["confidence"].astype(float) * 100).round(1).astype(str) + " %")
    for category, colour in zip(order, palette(len(order)), strict=True):
        mask = (values == category).to_numpy()
        background = category in (RIGHT, NO_VERDICT, "not suspected")
        figure.add_trace(go.Scattergl(
            x=rows["x"].to_numpy()[mask], y=rows["y"].to_numpy()[mask], mode="markers", name=str(category),
            customdata=np.flatnonzero(mask), hovertext=hover.to_numpy()[mask], hoverinfo="text",
            marker={"size": 4 if background else 6, "color": "#c9c9c9" if background else colour,
                    "opacity": 0.5 if background else 0.85}))
    figure.update_layout(height=HEIGHT, margin={"l": 0, "r": 0, "t": 10, "b": 0}, dragmode="lasso",
                         legend={"itemsizing": "constant", "title": None},
                         xaxis={"visible": False}, yaxis={"visible": False})
    return figure


def selected_positions(event: Any) -> list[int]:
    """Row positions a box or lasso selection holds (st.plotly_chart's on_select event), in map order."""
    if not event:
        return []
    points = event.selection.get("points", []) if hasattr(event, "selection") else []
    found = set()
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, list | tuple):
            custom = custom[0] if custom else None
        if custom is not None:
            found.add(int(custom))
    return sorted(found)


def selection_table(rows: pd.DataFrame, labels: LabelSet) -> pd.DataFrame:
    """The selected rows as the page lists them: text, gold, predicted, confidence, split."""
    return pd.DataFrame({
        "text": rows["text"].astype(str),
        "gold": rows["label"].map(labels.name),
        "predicted": rows["predicted"].map(labels.name),
        "confidence": rows["confidence"].astype(float),
        "split": rows["split"],
    })
