"""One analyst's session, step by step: empty home, a tiny sweep, its results, a confusion cell, its errors, a prediction.

The tests share one server and one browser tab and run in file order; each leaves the app where the next starts.
"""

from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

LABELS = ("World", "Sports", "Business", "Sci/Tech")
LEARNING_RATES = ("3e-3", "1e-3")


def frequent_confusions(app) -> list[tuple[str, str, int]]:
    """(true, predicted, count) from the Accuracy page's "Most frequent confusions" links, most frequent first."""
    names = "|".join(re.escape(label).replace("/", r"\/") for label in LABELS)  # Playwright wants "/" escaped
    pattern = re.compile(rf"({names}) → ({names}): (\d+)$")
    links = app.main().get_by_role("link", name=pattern)
    expect(links.first).to_be_visible()
    found = [pattern.search(text.strip()) for text in links.all_inner_texts()]  # the text starts with an icon's name
    return [(m[1], m[2], int(m[3])) for m in found if m]


def expect_errors_page_for(app, true_label: str, predicted_label: str, count: int) -> None:
    """The Errors page is open and filtered to this (true, predicted) pair, in the URL, its widgets and its table."""
    expect(app.page).to_have_url(re.compile(r"/errors\?"))
    expect(app.heading("Errors")).to_be_visible()
    app.wait_idle()
    params = app.query_params()
    assert (params.get("true"), params.get("pred")) == (str(LABELS.index(true_label)), str(LABELS.index(predicted_label)))
    expect(app.page.get_by_role("combobox", name="True label", exact=True)).to_have_value(true_label)
    expect(app.page.get_by_role("combobox", name="Predicted label", exact=True)).to_have_value(predicted_label)
    summary = app.main().get_by_text(f"true {true_label}, predicted {predicted_label}")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(f"{count:,} misclassified rows")
    expect(app.main().get_by_test_id("stDataFrame")).to_have_count(1)


def test_home_shows_the_empty_state(app) -> None:
    app.open("/")
    expect(app.heading("AG News Lab")).to_be_visible()
    expect(app.main().get_by_text("No runs yet")).to_be_visible()
    app.assert_healthy()
    app.screenshot("01-home-empty")


def test_sweep_form_shows_a_bad_learning_rate_next_to_its_field(app) -> None:
    app.go("Sweep", "sweep")
    app.fill("Learning rates", "abc")
    app.page.get_by_role("button", name="Start sweep").click()

    message = app.main().get_by_text("'abc' is not a number")
    expect(message).to_be_visible()
    expect(app.main().get_by_text("Fix the fields marked above")).to_be_visible()
    field = app.page.get_by_role("textbox", name="Learning rates", exact=True).bounding_box()
    shown = message.bounding_box()
    next_field = app.page.get_by_role("combobox", name="Model", exact=True).bounding_box()
    assert field["y"] < shown["y"] < next_field["y"], "the message should sit between its field and the next one"
    expect(app.page.locator("[class*='st-key-job-']")).to_have_count(0)
    app.assert_healthy()
    app.screenshot("02-sweep-invalid-learning-rates")


def test_a_tiny_sweep_runs_to_done_while_the_page_watches(app) -> None:
    app.fill("Learning rates", ", ".join(LEARNING_RATES))
    app.select("Model", "tiny BERT (seconds, smoke tests)")
    app.select("Data", "bundled AG News sample")
    for label, rows in (("Train rows", "300"), ("Validation rows", "100"), ("Test rows", "100")):
        app.fill(label, rows, role="spinbutton")
    app.page.get_by_role("button", name="Update estimate").click()
    expect(app.main().get_by_text("'abc' is not a number")).to_have_count(0)
    expect(app.main().get_by_text(re.compile(r"Estimated time for these settings: about .+ \(2 runs;"))).to_be_visible()
    app.page.get_by_role("button", name="Start sweep").click()

    expect(app.main().get_by_text(re.compile(r"Sweep \S+ queued: about"))).to_be_visible()
    card = app.page.locator("[class*='st-key-job-']")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("tiny · lr 3e-3, 1e-3")
    badge = card.locator(".stMarkdownBadge")
    expect(badge).to_have_text(re.compile(r"\b(queued|running)$"))
    # No reload from here on: the job list refreshes itself every 2 s while the sweep runs.
    expect(badge.filter(has_text=re.compile(r"\bdone$")).first).to_be_visible(timeout=app.sweep_timeout_ms)
    app.wait_idle()
    expect(badge).to_have_count(1)  # the last refresh may briefly draw the card twice; it must settle on one
    expect(badge).to_have_text(re.compile(r"\bdone$"))
    expect(card.get_by_role("link", name="Open results")).to_be_visible()
    app.assert_healthy()
    app.screenshot("03-sweep-done")


def test_results_show_one_curve_per_learning_rate_and_name_the_best(app) -> None:
    app.go("Results", "results")
    charts = app.main().locator(".js-plotly-plot")
    expect(charts).to_have_count(2)  # training loss and eval loss
    for index in range(2):
        chart = charts.nth(index)
        expect(chart.locator(".legendtext")).to_have_text([f"lr {lr}" for lr in LEARNING_RATES])
        expect(chart.locator(".scatterlayer .trace")).to_have_count(len(LEARNING_RATES))

    table = app.main().get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    # The grid is drawn on a canvas; its accessible copy holds the cell texts.
    expect(table.locator("tbody tr")).to_have_count(len(LEARNING_RATES))
    expect(table.locator("td", has_text="★ best")).to_have_count(1)
    app.assert_healthy()
    app.screenshot("04-results")


def test_accuracy_select_boxes_open_the_errors_of_one_cell(app) -> None:
    app.go("Accuracy", "accuracy")
    expect(app.main().get_by_role("heading", name=re.compile(r"^Confusion matrix, lr "))).to_be_visible()
    app.assert_healthy()
    app.screenshot("05-accuracy")

    true_label, predicted_label, count = frequent_confusions(app)[0]
    app.select("True label", true_label)
    app.select("Predicted label", predicted_label)
    app.page.get_by_role("button", name="Show these examples").click()
    expect_errors_page_for(app, true_label, predicted_label, count)
    app.assert_healthy()
    app.screenshot("06-errors-from-select-boxes")


def test_clicking_a_confusion_cell_opens_its_errors(app) -> None:
    app.go("Accuracy", "accuracy")
    true_label, predicted_label, count = frequent_confusions(app)[-1]  # another cell than the select boxes used
    chart = app.main().get_by_test_id("stPlotlyChart").filter(has_text="click a cell")
    chart.locator(".nsewdrag").first.scroll_into_view_if_needed()

    def tick_centre(axis: str, name: str) -> float:
        """The matrix orders classes so confused ones sit together: find a row or column by its tick label."""
        tick = chart.locator(f".{axis}axislayer-above .{axis}tick text").filter(has_text=re.compile(f"^{re.escape(name)}$"))
        found = tick.bounding_box()
        return found["x"] + found["width"] / 2 if axis == "x" else found["y"] + found["height"] / 2

    app.page.mouse.click(tick_centre("x", predicted_label), tick_centre("y", true_label))
    expect_errors_page_for(app, true_label, predicted_label, count)
    app.assert_healthy()
    app.screenshot("07-errors-from-heatmap-click")


def test_predict_classifies_a_headline_and_refuses_empty_text(app) -> None:
    app.go("Predict", "predict")
    classify = app.page.get_by_role("button", name="Classify")
    classify.click()
    expect(app.main().get_by_text("This text is empty")).to_be_visible()

    app.page.get_by_role("textbox", name="Text", exact=True).fill("Oil prices jump as supply fears grow")
    classify.click()
    label = app.main().get_by_test_id("stMetric").filter(has_text="Label")
    one_label = re.compile(rf"^({'|'.join(map(re.escape, LABELS))})$")
    # The fine-tuned run's answer, then the TF-IDF demo's beside it.
    expect(label.get_by_test_id("stMetricValue")).to_have_text([one_label, one_label])
    expect(app.main().get_by_text("This text is empty")).to_have_count(0)
    expect(app.main().get_by_test_id("stMetric").filter(has_text="Confidence")).to_contain_text(["%", "%"])
    calibrated = app.main().get_by_test_id("stMetric").filter(has=app.page.get_by_text("Calibrated confidence", exact=True))
    expect(calibrated).to_contain_text("%")
    expect(app.main().get_by_role("heading", name="Why this label?")).to_be_visible()
    app.assert_healthy()
    app.screenshot("08-predict")
