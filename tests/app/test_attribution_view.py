"""The shaded text and the bar chart of 'Why this label?': reading order, line wrapping, escaping, sorting."""

from __future__ import annotations

import html

import numpy as np

from agnews_core.serving.attribution import Attribution
from agnews_core.store.variant_record import InferenceVariant
from agnews_ui.attribution_view import CHAR_PX, LINE_CHARS, _explain, bars_figure, explain, shaded_text_figure


def attribution(words: list[str], scores: list[float]) -> Attribution:
    return Attribution(tuple(words), tuple(scores), 2, 0.9, "word occlusion")


def test_words_keep_reading_order_and_wrap_without_overlapping() -> None:
    words = ["Oil", "prices", "jump", "x" * (LINE_CHARS + 5), "&", "<b>bold</b>", *["word"] * 30]
    figure = shaded_text_figure(attribution(words, [0.1 * (i % 3 - 1) for i in range(len(words))]))
    notes = figure.layout.annotations
    pieces = [html.unescape(n.text) for n in notes]
    assert "".join(pieces) == "".join(words)  # every character, in order; the long word in two pieces
    assert notes[5].text == "&amp;" and notes[6].text == "&lt;b&gt;bold&lt;/b&gt;"
    lines: dict[float, list] = {}
    for note in notes:
        lines.setdefault(note.y, []).append(note)
    for row in lines.values():
        for left, right in zip(row, row[1:], strict=False):
            assert left.x + len(html.unescape(left.text)) * CHAR_PX < right.x  # a gap between neighbours
        assert row[-1].x + len(html.unescape(row[-1].text)) * CHAR_PX <= LINE_CHARS * CHAR_PX + 1e-6
    assert len(lines) > 2 and figure.layout.height > 3 * 30


def test_bars_are_the_strongest_words_sorted_toward_to_away() -> None:
    words = [f"w{i}" for i in range(20)]
    scores = [(-1) ** i * i / 100 for i in range(20)]
    bars = bars_figure(attribution(words, scores)).data[0]
    assert list(bars.x) == sorted(bars.x, reverse=True) and len(bars.x) == 15
    assert min(abs(x) for x in bars.x) >= 0.05  # the 15 strongest of 20 by size, whatever their sign


def test_colours_say_toward_and_away() -> None:
    notes = shaded_text_figure(attribution(["up", "down", "flat"], [0.5, -0.5, 0.0])).layout.annotations
    assert notes[0].bgcolor.startswith("rgba(44,160,44") and notes[1].bgcolor.startswith("rgba(214,39,40")
    assert notes[2].bgcolor.endswith(",0.060)")  # no push: barely tinted


class CountingPredictor:
    """Stands in for a Predictor: uniform probabilities, and a count of the texts it scored."""

    names = ("World", "Sports", "Business", "Sci/Tech")

    def __init__(self) -> None:
        self.calls = 0

    def probabilities(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.full((len(texts), 4), 0.25)


def test_explanations_are_cached_per_model_variant_and_text() -> None:
    _explain.clear()
    model = CountingPredictor()
    first = explain(model, ("s1", "run01", None), "Oil prices jump", 2)
    assert explain(model, ("s1", "run01", None), "Oil prices jump", 2) == first and model.calls == 1
    for variant in InferenceVariant:  # an explicit variant is another model than the run's recorded one
        explain(model, ("s1", "run01", variant), "Oil prices jump", 2)
    assert model.calls == 1 + len(InferenceVariant)
    explain(model, ("s1", "run01", InferenceVariant("int8")), "Oil prices jump", 2)
    assert model.calls == 1 + len(InferenceVariant)  # the same variant, by name: read back
    explain(model, ("s1", "run01", None), "Oil prices fall", 2)
    assert model.calls == 2 + len(InferenceVariant)
    _explain.clear()
