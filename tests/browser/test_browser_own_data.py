"""A user's own data set in a real browser, from upload to prediction: their label names everywhere.

Upload tickets.jsonl (3 string labels) on the Data page, register it, sweep a tiny model on it from the page's
link, then read Results, Accuracy and Errors (a relabel verdict; a cross-fit of the run and its ranking of the
training rows), and classify a text on Predict. A second, shorter
session registers the messy file only by dropping its problem rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dataset_fixtures import MESSY, TICKETS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

LABELS = ("billing", "feature request", "outage")  # the data set's label names, in their sorted order
DATA_CHOICE = "data set tickets (120 train / 30 test rows, 3 classes)"
ONE_LABEL = re.compile(rf"^({'|'.join(map(re.escape, LABELS))})$")
BILLING_TEXT = "the invoice charge on my card is wrong, please refund the payment"


def upload_training_file(app, path: Path) -> sync_api.Locator:
    """Open the Data page's 'Add a data set' tab, upload a training file; the tab's panel."""
    app.open("/data")
    expect(app.heading("Data")).to_be_visible()
    app.main().get_by_role("tab", name="Add a data set").click()
    panel = app.main().get_by_role("tabpanel").filter(visible=True)
    expect(panel.get_by_text("Upload a training file to see its report")).to_be_visible()
    uploader = panel.get_by_test_id("stFileUploader").filter(has_text="Training file")
    uploader.locator("input[type=file]").set_input_files(str(path))
    expect(panel.get_by_role("heading", name="Report")).to_be_visible()
    app.wait_idle()
    return panel


def metric(scope: sync_api.Locator, label: str) -> sync_api.Locator:
    """The value of the st.metric with this label."""
    return scope.get_by_test_id("stMetric").filter(has=scope.page.get_by_text(label, exact=True)) \
        .get_by_test_id("stMetricValue")


def grid(app) -> sync_api.Locator:
    """The Errors table (the first data grid on the page)."""
    return app.main().get_by_test_id("stDataFrame").first


def select_first_row(app) -> None:
    """Tick the first row's selection box; the grid is a canvas, so click where its row marker is drawn."""
    table = grid(app)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    table.hover()
    app.page.mouse.click(box["x"] + 18, box["y"] + 36 + 30)  # header ~36 px, then rows of 60 px
    app.wait_idle()


def expect_options(app, label: str, options: list[str]) -> None:
    """A select box offers exactly these options, in this order (opened, read, closed)."""
    box = app.page.get_by_role("combobox", name=label, exact=True)
    box.scroll_into_view_if_needed()
    box.click()
    expect(app.page.get_by_role("option")).to_have_text(options)
    app.page.keyboard.press("Escape")
    app.wait_idle()


def test_own_data_set_from_upload_to_prediction(app) -> None:
    # Data: the uploaded file's report names its classes and counts rows; Register stores version 1.
    panel = upload_training_file(app, TICKETS)
    expect(panel.get_by_text("Training file: 150 rows, JSONL")).to_be_visible()
    expect(metric(panel, "Train rows")).to_have_text("120")
    expect(metric(panel, "Test rows")).to_have_text("30")
    expect(metric(panel, "Classes")).to_have_text("3")
    balance = panel.get_by_test_id("stPlotlyChart").first
    expect(balance.locator(".xtick > text")).to_have_text(list(LABELS))
    expect(panel.get_by_text("No problems found")).to_be_visible()
    panel.get_by_role("button", name="Register", exact=True).click()
    expect(panel.get_by_text("Registered tickets-v1 (120 train / 30 test rows, 3 classes).")).to_be_visible()
    app.assert_healthy()
    app.screenshot("own-data-01-registered")

    # Sweep: the link preselects the data set and sizes the rows to it.
    panel.get_by_role("link", name="Sweep on tickets").click()
    expect(app.heading("Sweep")).to_be_visible()
    app.wait_idle()
    assert app.query_params().get("data") == "tickets"
    expect(app.page.get_by_role("combobox", name="Data", exact=True)).to_have_value(DATA_CHOICE)
    for label, rows in (("Train rows", "96"), ("Validation rows", "24"), ("Test rows", "30")):
        expect(app.page.get_by_role("spinbutton", name=label, exact=True)).to_have_value(rows)
    app.fill("Learning rates", "3e-3")
    app.select("Model", "tiny BERT (seconds, smoke tests)")
    for label, value in (("Epochs", "4"), ("Batch size", "16")):
        app.fill(label, value, role="spinbutton")
    app.page.get_by_role("button", name="Start sweep").click()
    card = app.page.locator("[class*='st-key-job-']").first  # newest first
    expect(card.locator(".stMarkdownBadge").filter(has_text=re.compile(r"\bdone$")).first).to_be_visible(
        timeout=app.sweep_timeout_ms)
    app.wait_idle()
    app.assert_healthy()
    app.screenshot("own-data-02-sweep-done")

    # Results: one run, on this data set.
    app.page.locator("[class*='st-key-job-']").first.get_by_role("link", name="Open results").click()
    expect(app.heading("Results")).to_be_visible()
    app.wait_idle()
    expect(app.main().get_by_text(re.compile(r"tickets.*train 96 rows"))).to_be_visible()
    results = app.main().get_by_test_id("stDataFrame").first
    results.scroll_into_view_if_needed()
    expect(results.locator("tbody tr")).to_have_count(1)
    app.assert_healthy()

    # Accuracy: per-class rows, label links and the confusion matrix speak the user's labels.
    app.go("Accuracy", "accuracy")
    per_class = app.main().get_by_test_id("stDataFrame").first
    per_class.scroll_into_view_if_needed()
    expect(per_class.locator("tbody tr")).to_have_count(len(LABELS))
    for name in LABELS:
        expect(per_class.locator("td", has_text=re.compile(rf"^{re.escape(name)}$"))).to_have_count(1)
        expect(app.main().get_by_role("link", name=re.compile(rf"{re.escape(name)} errors$"))).to_be_visible()
    matrix = app.main().get_by_test_id("stPlotlyChart").filter(has_text="click a cell")
    matrix.scroll_into_view_if_needed()
    for axis in (".xtick > text", ".ytick > text"):  # in the order that puts confused classes side by side
        expect(matrix.locator(axis)).to_have_count(len(LABELS))
        assert sorted(matrix.locator(axis).all_text_contents()) == list(LABELS)
    app.assert_healthy()
    app.screenshot("own-data-03-accuracy")

    # Errors: the label filters list the user's labels; a relabel verdict names the new label.
    app.go("Errors", "errors")
    expect_options(app, "True label", ["any", *LABELS])
    expect_options(app, "Predicted label", ["any", *LABELS])
    # Every test row, so that a run without errors has rows to judge too.
    app.main().get_by_text("Errors only", exact=True).click()  # its switch is drawn; the input itself is hidden
    expect(app.page.get_by_role("switch", name="Errors only", exact=True)).not_to_be_checked()
    expect(app.main().get_by_text(re.compile(r"30 matching rows\*?\*? of 30 test rows"))).to_be_visible()
    select_first_row(app)
    form = app.main().get_by_test_id("stForm")
    expect(form).to_be_visible()
    gold = re.search(r"^True (.+), predicted", app.main().get_by_text(re.compile(r"^True .+, predicted")).first
                     .inner_text())[1]
    assert gold in LABELS, gold
    target = next(name for name in LABELS if name != gold)
    form.get_by_text("Gold label is wrong: it should be the label below").click()
    app.select("It should be", target)
    form.get_by_role("button", name="Record verdict").click()
    expect(grid(app).locator("td", has_text=f"relabel → {target}")).to_have_count(1)
    listing = app.main().get_by_test_id("stExpander").filter(has_text="Verdicts on this data:")
    listing.locator("summary").click()
    expect(listing.get_by_text(re.compile(r"^1 verdict\(s\) recorded.*per data source \(tickets\)"))).to_be_visible()
    verdicts = listing.get_by_test_id("stDataFrame").first
    verdicts.scroll_into_view_if_needed()
    expect(verdicts.locator("td", has_text=f"relabel → {target}")).to_have_count(1)
    expect(verdicts.locator("td", has_text=re.compile(rf"^{re.escape(gold)}$"))).to_have_count(1)
    app.assert_healthy()
    app.screenshot("own-data-04-errors-verdict")

    # Errors: suspects from the model itself. A cross-fit of the run, queued from the page, scores its training rows
    # out of sample (a job with progress); when it is done, the training rows can be ranked by it.
    app.main().get_by_role("button", name=re.compile(r"^Find suspects with the model itself: about ")).click()
    expect(app.main().get_by_text(re.compile(r"^Cross-fit \S+ queued: about "))).to_be_visible()
    expect(app.main().get_by_text("Rank training rows by", exact=True)).to_be_visible(timeout=app.sweep_timeout_ms)
    app.select("Rows", "train (cross-validated: TF-IDF and sentence embeddings)")
    expect(app.main().get_by_text(re.compile(r"^Label quality of these rows ranked by TF-IDF"))).to_be_visible()
    ranking = app.main().get_by_test_id("stButtonGroup").filter(has_text="both, averaged")
    ranking.get_by_text("cross-fit", exact=True).click()
    app.wait_idle()
    expect(app.main().get_by_text("Label quality of these rows ranked by cross-fit (2 folds, tiny).",
                                  exact=True)).to_be_visible()
    expect(app.main().get_by_text(re.compile(r"^\d+ matching rows\*?\*? of 96 train rows"))).to_be_visible()
    app.assert_healthy()
    app.screenshot("own-data-05-errors-crossfit")

    # Predict: the model's data set is picked, and both answers are one of the user's labels.
    app.go("Predict", "predict")
    expect(app.page.get_by_role("combobox", name="Data set", exact=True)).to_have_value("data set tickets-v1")
    app.page.get_by_role("textbox", name="Text", exact=True).fill(BILLING_TEXT)
    app.page.get_by_role("button", name="Classify").click()
    answer = app.page.locator(".st-key-predict_answer_1")
    expect(metric(answer, "Label")).to_have_text([ONE_LABEL, ONE_LABEL])  # fine-tuned, then the TF-IDF demo
    tfidf = answer.get_by_test_id("stColumn").filter(has=app.page.get_by_text("TF-IDF demo", exact=True)).last
    expect(metric(tfidf, "Label")).to_have_text("billing")  # its words are the billing class's own
    app.assert_healthy()
    app.screenshot("own-data-06-predict")


def test_a_messy_file_registers_only_by_dropping_its_problem_rows(app) -> None:
    panel = upload_training_file(app, MESSY)
    expect(metric(panel, "Classes")).to_have_text("3")
    expect(panel.get_by_text("5 rows have problems that must be dropped to register")).to_be_visible()
    expect(panel.get_by_role("button", name="Register", exact=True)).to_have_count(0)
    panel.get_by_role("button", name="Drop 5 rows with problems and register").click()
    expect(panel.get_by_text(re.compile(r"^Registered messy-v1 \(\d+ train / \d+ test rows, 3 classes\)\.$")))\
        .to_be_visible()
    expect(panel.get_by_role("link", name="Sweep on messy")).to_be_visible()
    app.assert_healthy()
    app.screenshot("own-data-06-messy-registered")
