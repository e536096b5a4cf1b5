"""Predict page: classify a text with a saved run or the untrained model; empty, huge and HTML-like text."""

from __future__ import annotations

import json

import pytest

from agnews_core.labels import LABELS
from agnews_core.live_predict import MAX_CHARS

from .conftest import button, metrics, values

PREDICT = "pages/predict.py"
EMPTY = "This text is empty: type a headline or pick a sample."


def classify(at, text: str):
    """Type a text, press Classify and rerun."""
    at.text_area(key="predict_text").input(text)
    button(at, "Classify").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_empty_predict_says_to_start_a_sweep(open_page) -> None:
    at = open_page(PREDICT)
    assert values(at.info) == ["No runs yet: start a sweep on the Sweep page, then classify text here."]
    assert not at.text_area


def test_models_list_best_run_first_and_the_untrained_baseline_last(open_page, finished) -> None:
    at = open_page(PREDICT)
    options = at.selectbox[0].options
    assert len(options) == len(finished.run_ids) + 1
    assert options[0].startswith(f"{finished.best_run_id} (best)")
    assert options[-1].startswith("untrained tiny (baseline)")


def test_a_headline_gets_a_label_and_probabilities(open_page, finished) -> None:
    at = classify(open_page(PREDICT), "Oil prices jump as supply fears grow")
    shown = metrics(at)
    assert shown["Label"] in LABELS
    assert shown["Confidence"].endswith("%")
    assert shown["Latency"].endswith(" ms")
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert bars["x"] == list(LABELS)
    assert abs(sum(bars["y"]) - 100) < 0.01
    assert not at.warning


@pytest.mark.parametrize("text", ["", "   \n\t  "], ids=["empty", "whitespace"])
def test_empty_text_is_a_warning_not_a_prediction(open_page, finished, text) -> None:
    at = classify(open_page(PREDICT), text)
    assert values(at.warning) == [EMPTY]
    assert "Label" not in metrics(at)


def test_very_long_text_is_truncated_with_a_note(open_page, finished) -> None:
    text = "Stocks rally as markets cheer earnings. " * 2_500
    assert len(text) == 100_000  # the most the text box accepts
    at = classify(open_page(PREDICT), text)
    assert metrics(at)["Label"] in LABELS
    assert values(at.info) == [f"The text was cut to its first {MAX_CHARS:,} characters; the model reads about 128 tokens."]


def test_html_is_classified_as_plain_text(open_page, finished) -> None:
    at = classify(open_page(PREDICT), "<script>alert(1)</script>")
    assert metrics(at)["Label"] in LABELS
    assert not at.get("html")
    assert not any("<script>" in m for m in values(at.markdown))


def test_untrained_model_can_be_used(open_page, finished) -> None:
    at = open_page(PREDICT)
    model = at.selectbox[0]
    model.select_index(len(model.options) - 1).run()
    at = classify(at, "Stocks rally on Wall Street")
    assert metrics(at)["Label"] in LABELS
    assert not at.error


def test_a_sample_headline_fills_the_text_box(open_page, finished) -> None:
    at = open_page(PREDICT)
    sample = at.selectbox(key="predict_sample")
    headline = sample.options[1]
    sample.select_index(1).run()
    assert at.text_area(key="predict_text").value.startswith(headline.rstrip("…"))
    button(at, "Classify").click().run()
    assert metrics(at)["Label"] in LABELS
