"""A fresh install's Predict page classifies a headline with the TF-IDF demo, in a real browser."""

from __future__ import annotations

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

LABELS = ("World", "Sports", "Business", "Sci/Tech")
TFIDF_NAME = "TF-IDF + logistic regression, fitted on the bundled sample"
FIT_TIMEOUT_MS = 180_000


def test_a_fresh_app_classifies_a_headline_with_the_tfidf_demo(app) -> None:
    app.open("/predict")
    expect(app.heading("Predict")).to_be_visible()
    expect(app.main().get_by_text("No fine-tuned model yet: answers come from the TF-IDF demo.")).to_be_visible()
    expect(app.page.get_by_role("button", name="Train a quick demo model")).to_be_visible()
    app.page.get_by_role("textbox", name="Text", exact=True).fill("Striker scores twice as City win the derby")
    app.page.get_by_role("button", name="Classify").click()

    answer = app.page.locator(".st-key-predict_answer_1")
    # The fit started in the background when the page opened: seconds of CPU, more when other processes are busy.
    expect(answer.get_by_text("TF-IDF demo", exact=True)).to_be_visible(timeout=FIT_TIMEOUT_MS)
    expect(answer.get_by_text(TFIDF_NAME)).to_be_visible()
    expect(answer.get_by_test_id("stMetricValue").first).to_have_text("Sports")
    app.assert_healthy()
    app.screenshot("predict-fresh-tfidf-demo")
