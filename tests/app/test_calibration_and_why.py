"""Accuracy's calibration section, Predict's calibrated confidence, and 'Why this label?' on Predict and Errors."""

from __future__ import annotations

import html
import json

import pytest
from streamlit.testing.v1 import AppTest

from agnews_core.analysis.calibration import BINS, calibrate_run
from agnews_core.store.artifact_store import ArtifactStore

from .conftest import TIMEOUT, button, metrics

ACCURACY, PREDICT = "pages/accuracy.py", "pages/predict.py"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> **x** $x$ :red[x] Oil & gas"


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_accuracy_shows_the_reliability_diagram_and_ece_before_and_after(open_page, artifacts, finished) -> None:
    at = open_page(ACCURACY)
    report = calibrate_run(ArtifactStore(artifacts).load_predictions(finished.sweep_id, finished.best_run_id))
    shown = metrics(at)
    assert shown["Expected calibration error"] == f"{report.ece_before * 100:.1f}%"
    assert shown["ECE after temperature scaling"] == f"{report.ece_after * 100:.1f}%"
    assert shown["Temperature"] == f"{report.temperature:.2f}"
    diagram = next(f for f in figures(at) if any(t.get("name") == "perfect calibration" for t in f["data"]))
    bars = diagram["data"][0]
    assert bars["type"] == "bar" and len(bars["x"]) == BINS
    counts = [int(c.replace(",", "")) for c in bars["text"] if c]
    assert counts == [b.count for b in report.before.bins if b.count]  # bin counts visible on the bars
    assert sum(counts) == finished.config.test_size
    diagonal = next(t for t in diagram["data"] if t.get("name") == "perfect calibration")
    assert diagonal["x"] == [0, 1] and diagonal["y"] == [0, 100]


def classify(at, text: str):
    at.text_area(key="predict_text").input(text)
    button(at, "Classify").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def word_bars(at) -> dict:
    """The sorted bar chart of word scores."""
    return next(f for f in figures(at) if f["data"] and f["data"][0].get("orientation") == "h")


def annotation_texts(at) -> list[str]:
    shaded = [f for f in figures(at) if f["layout"].get("annotations")]
    assert len(shaded) == 1
    return [a["text"] for a in shaded[0]["layout"]["annotations"]]


def test_predict_shows_calibrated_confidence_and_why_this_label(open_page, finished) -> None:
    at = classify(open_page(PREDICT), "Oil prices jump as supply fears grow")
    shown = metrics(at)
    assert shown["Calibrated confidence"].endswith("%") and shown["Confidence"].endswith("%")
    assert "Why this label?" in [h.value for h in at.subheader]
    assert annotation_texts(at) == ["Oil", "prices", "jump", "as", "supply", "fears", "grow"]
    bars = word_bars(at)
    scores = bars["data"][0]["x"]
    assert scores == sorted(scores, reverse=True) and len(scores) == 7
    assert bars["layout"]["yaxis"]["type"] == "category"  # drawn in that order, not by the words' positions


def test_untrained_model_has_no_calibrated_confidence(open_page, finished) -> None:
    at = open_page(PREDICT)
    at.selectbox[0].set_value(len(at.selectbox[0].options) - 1).run()
    at = classify(at, "Oil prices jump as supply fears grow")
    assert "Calibrated confidence" not in metrics(at) and "Confidence" in metrics(at)


def test_hostile_words_are_shown_verbatim_never_as_html_or_markdown(open_page, finished) -> None:
    at = classify(open_page(PREDICT), HOSTILE)
    texts = annotation_texts(at)
    assert texts == [html.escape(w, quote=False) for w in HOSTILE.split()]  # plotly shows entities as characters
    assert not any("<" in t or ">" in t for t in texts)
    assert all(chart.proto.config and json.loads(chart.proto.config)["typesetMath"] is False
               for chart in at.get("plotly_chart") if "annotations" in chart.proto.spec)
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("alert(1)" in r or "**x**" in r or ":red[x]" in r for r in rendered)
    bars = word_bars(at)
    assert all("<" not in t for t in bars["layout"]["yaxis"]["ticktext"])


def _why_row(sweep_id: str, run_id: str, text: str, predicted: str) -> None:
    from agnews_ui.attribution_view import why_this_row

    why_this_row(sweep_id, run_id, text, predicted)


@pytest.mark.parametrize("keep", [True, False], ids=["weights kept", "no weights"])
def test_errors_why_this_label_explains_the_selected_row(artifacts, finished, keep) -> None:
    store = ArtifactStore(artifacts)
    if not keep:
        store.delete_model(finished.sweep_id, finished.best_run_id)
    at = AppTest.from_function(_why_row, args=(finished.sweep_id, finished.best_run_id, HOSTILE, "Business"),
                               default_timeout=TIMEOUT).run()
    assert at.expander[0].label == "Why this label?"
    if not keep:
        assert "did not keep its weights" in at.info[0].value
        return
    assert not at.get("plotly_chart")  # computed only when asked
    at.toggle(key="why_row_toggle").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert annotation_texts(at) == [html.escape(w, quote=False) for w in HOSTILE.split()]
    assert "probability of Business" in at.caption[0].value
