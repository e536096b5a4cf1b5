"""'Why this label?': each word of a text shaded by how much it pushed the model toward its label, and a bar chart.

Texts are user input. Words are drawn as plotly annotations and tick labels, which render a few HTML tags: every
word goes through html.escape, and MathJax typesetting is off, so '<script>', '**x**' or '$x$' show verbatim.
Nothing here renders markdown or raw HTML.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import plotly.graph_objects as go
import streamlit as st

from agnews_core.serving.attribution import Attribution, occlusion
from agnews_core.store.variant_record import InferenceVariant

if TYPE_CHECKING:
    from agnews_core.serving.predictor import Predictor

# (sweep id, run id, variant asked for; None: the run's recorded one): the model, as its attributions' cache key
ModelRef = tuple[str, str, InferenceVariant | None]

LINE_CHARS = 70  # monospace characters per line of the shaded text
FONT_PX = 15
CHAR_PX = 0.602 * FONT_PX  # a monospace glyph's advance; the figure has a fixed width, so x is in pixels
SHOWN_WORDS = 200  # a pasted article is cut here on screen (the model reads about 128 tokens anyway)
BARS = 15  # the strongest words in the bar chart
TOWARD, AWAY = (44, 160, 44), (214, 39, 40)
PLOTLY_CONFIG = {"typesetMath": False, "displaylogo": False}


def plain(word: str) -> str:
    """A word as plotly must receive it to show it verbatim: its HTML-like tags and entities escaped."""
    return html.escape(word, quote=False)


def _colour(score: float, scale: float) -> str:
    strength = min(abs(score) / scale, 1.0) if scale > 0 else 0.0
    red, green, blue = TOWARD if score > 0 else AWAY
    return f"rgba({red},{green},{blue},{0.06 + 0.5 * strength:.3f})"  # the word stays readable on the darkest shade


def _scale(attribution: Attribution) -> float:
    return max((abs(s) for s in attribution.scores), default=0.0)


def shaded_text_figure(attribution: Attribution) -> go.Figure:
    """The text, word by word in reading order, each on a background green (toward the label) or red (away)."""
    scale = _scale(attribution)
    figure = go.Figure()
    line, column = 0, 0
    for word, score in attribution.pairs()[:SHOWN_WORDS]:
        pieces = [word[i:i + LINE_CHARS] for i in range(0, len(word), LINE_CHARS)]  # a very long word wraps
        for piece in pieces:
            if column and column + len(piece) > LINE_CHARS:
                line, column = line + 1, 0
            figure.add_annotation(x=column * CHAR_PX, y=-line, text=plain(piece), showarrow=False, xanchor="left",
                                  bgcolor=_colour(score, scale), borderpad=2,
                                  hovertext=f"{plain(word)}: {score:+.3f}",
                                  font={"family": "DejaVu Sans Mono, Courier New, monospace", "size": FONT_PX,
                                        "color": "#262730"})
            column += len(piece) + 1
    lines = line + 1
    figure.update_layout(
        xaxis={"visible": False, "range": [0, LINE_CHARS * CHAR_PX], "fixedrange": True},
        yaxis={"visible": False, "range": [-lines + 0.5, 0.5], "fixedrange": True},
        width=round(LINE_CHARS * CHAR_PX) + 16, height=20 + 30 * lines, margin={"l": 8, "r": 8, "t": 5, "b": 5},
        plot_bgcolor="white",
    )
    return figure


def bars_figure(attribution: Attribution) -> go.Figure:
    """The strongest words by score, sorted: toward the label on top, away at the bottom."""
    ranked = attribution.ranked()
    strongest = sorted(sorted(ranked, key=lambda r: -abs(r[2]))[:BARS], key=lambda r: -r[2])
    positions = [str(i) for i, _, _ in strongest]  # a repeated word keeps its own bar
    names = [plain(w if len(w) <= 40 else w[:39] + "…") for _, w, _ in strongest]
    scores = [s for _, _, s in strongest]
    figure = go.Figure(go.Bar(
        x=scores, y=positions, orientation="h", marker_color=[_colour(s, _scale(attribution) or 1) for s in scores],
        customdata=[[n, i + 1] for n, (i, _, _) in zip(names, strongest, strict=True)],
        hovertemplate="%{customdata[0]} (word %{customdata[1]}): %{x:+.3f}<extra></extra>",
    ))
    figure.update_layout(
        yaxis={"type": "category", "autorange": "reversed", "tickmode": "array", "tickvals": positions,
               "ticktext": names},
        xaxis={"title": f"drop in P({attribution.label}) when the word is removed"},
        height=80 + 24 * max(len(scores), 1), margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return figure


def render(attribution: Attribution, key: str) -> None:
    """The shaded text, the bar chart and what the colours mean."""
    st.caption(f"Word occlusion: a word's score is how much the probability of {attribution.label} "
               f"({attribution.probability:.1%}) drops when that word alone is removed. Green pushed toward "
               f"{attribution.label}, red pushed away; the darker, the stronger. Hover a word for its score.")
    st.plotly_chart(shaded_text_figure(attribution), key=f"{key}-text", config=PLOTLY_CONFIG, width="content")
    st.plotly_chart(bars_figure(attribution), key=f"{key}-bars", config=PLOTLY_CONFIG)
    if len(attribution.words) > SHOWN_WORDS:
        st.caption(f"Only the first {SHOWN_WORDS} of {len(attribution.words):,} words are shown.")
    if attribution.truncated:
        st.caption("Words past what the model reads were not scored (shown with score 0).")


@st.cache_data(show_spinner="Removing one word at a time…", max_entries=64)
def _explain(sweep_id: str, run_id: str, variant: InferenceVariant | None, text: str, label_id: int | None,
             _predictor: Predictor) -> Attribution:
    return occlusion(text, _predictor.probabilities, label_id, names=_predictor.names)


def explain(predictor: Predictor, ref: ModelRef, text: str, label_id: int | None = None) -> Attribution:
    """Occlusion with the page's own Predictor (its lock is held for each batch); cached per model and text."""
    return _explain(*ref, text, label_id, predictor)


def why_this_label(predictor: Predictor, ref: ModelRef, text: str, label_id: int | None = None,
                   key: str = "why") -> None:
    """'Why this label?' for one text: compute (cached) and render; TextError/ValueError become a message."""
    try:
        attribution = explain(predictor, ref, text, label_id)
    except ValueError as exc:  # TextError is a ValueError
        st.warning(f"No explanation: {exc}", icon=":material/info:")
        return
    render(attribution, key)


def why_this_row(sweep_id: str, run_id: str, text: str, predicted: str) -> None:
    """The Errors page's expander for the selected row: explains the run's predicted label with its saved model."""
    from agnews_ui.resources import predictor, store

    with st.expander("Why this label?", icon=":material/psychology:"):
        if not store().has_model(sweep_id, run_id):
            st.info("This run did not keep its weights (Sweep form: weights to keep), so its words cannot be "
                    "scored.", icon=":material/info:")
            return
        if not st.toggle(f"Show which words pushed the model toward {predicted}", key="why_row_toggle"):
            return
        from agnews_core.modeling.models import ModelLoadError
        from agnews_core.serving.predictor import DEFAULT_VARIANT
        from agnews_core.store.artifact_store import ArtifactError

        try:
            model = predictor(sweep_id, run_id, DEFAULT_VARIANT)
        except (ArtifactError, ModelLoadError, ValueError) as exc:
            st.error(f"This run's model cannot be loaded: {exc}")
            return
        label_id = model.names.index(predicted) if predicted in model.names else None
        why_this_label(model, (sweep_id, run_id, DEFAULT_VARIANT), text, label_id, key="why-row")
