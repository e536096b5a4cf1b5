"""Verdicts from the browser: record one on a training row, see it in a second browser, export them, and train a
sweep that applies them.

The server starts on a copy of the shared finished tiny sweep (no sweep to wait for first); the steps share one tab.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

LABELS = ("World", "Sports", "Business", "Sci/Tech")
NOTE = "a match report not world news"


@pytest.fixture(scope="module")
def prepare_artifacts(finished_sweep):
    store, _ = finished_sweep
    return lambda root: shutil.copytree(store.root, root, dirs_exist_ok=True)


@pytest.fixture(scope="module")
def train_errors_path(finished_sweep) -> str:
    _, record = finished_sweep
    return f"errors?sweep={record.sweep_id}&run={record.best_run_id}&split=train"


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


def download_clicked(app, button) -> sync_api.Download:
    """Click a download button and return its download. Under load the file a click asks for was at times already
    replaced by a newer script run (Streamlit keeps a download's file for the run that drew it), and no download
    came: then the page is left to settle and the button clicked once more, as a user would."""
    for attempt in (1, 2):
        try:
            with app.page.expect_download(timeout=30_000) as download:
                button.click()
            return download.value
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
            app.wait_idle()
    raise AssertionError("unreachable")


RECORDED: dict[str, str] = {}  # what the verdict step recorded, for the steps after it


def test_a_verdict_recorded_on_a_training_row_shows_in_its_row(app, train_errors_path) -> None:
    app.open(train_errors_path)
    expect(app.heading("Errors")).to_be_visible()
    expect(app.page.get_by_role("combobox", name="Rows", exact=True)).to_have_value(
        "train (cross-validated: TF-IDF and sentence embeddings)")
    expect(app.main().get_by_text(re.compile(r"misclassified rows\*?\*? of [\d,]+ train rows|of [\d,]+ train rows")))\
        .to_be_visible()
    select_first_row(app)
    form = app.main().get_by_test_id("stForm")
    expect(form).to_be_visible()
    gold = re.search(r"True (\S+), predicted", app.main().get_by_text(re.compile(r"^True \S+, predicted")).first
                     .inner_text())[1]
    target = next(name for name in LABELS if name != gold)
    app.main().get_by_role("textbox", name="Reviewer (optional)").fill("ana")  # above the form, kept per session
    app.select("It should be", target)
    form.get_by_role("textbox", name="Note (optional)").fill(NOTE)
    form.get_by_role("button", name="Record verdict").click()
    expect(app.page.get_by_test_id("stToast")).to_contain_text("Verdict recorded")
    expect(grid(app).locator("td", has_text=f"relabel → {target}")).to_have_count(1)
    app.assert_healthy()
    app.screenshot("20-errors-verdict-recorded")
    RECORDED["target"] = target  # for the steps below (they follow in file order, in this process)


def test_a_second_browser_sees_the_verdict(app, second_browser_app, train_errors_path) -> None:
    target = RECORDED["target"]
    second_browser_app.open(train_errors_path)
    expect(grid(second_browser_app).locator("td", has_text=f"relabel → {target}")).to_have_count(1)
    second_browser_app.assert_healthy()


def test_every_verdict_exports_as_csv(app, tmp_path: Path) -> None:
    target = RECORDED["target"]
    app.main().get_by_text("Verdicts on this data: list, agreement, export, import").click()
    button = app.main().get_by_role("button", name=re.compile("Export all verdicts as CSV"))
    expect(button).to_be_enabled()
    app.wait_idle()
    saved = tmp_path / "verdicts.csv"
    download_clicked(app, button).save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "text_key,text,label,kind,new_label,note,reviewer,recorded_at"
    assert len(lines) == 2 and f",relabel,{target},{NOTE},ana," in lines[1]
    app.assert_healthy()


def test_a_sweep_with_corrections_applied_counts_them_on_its_card(app) -> None:
    app.go("Sweep", "sweep")
    app.fill("Learning rates", "1e-3")
    app.select("Model", "tiny BERT (seconds, smoke tests)")
    app.select("Data", "bundled AG News sample")
    # The shared sweep's sizes and seed: the same training rows, so the verdict's row is among them.
    for label, value in (("Train rows", "400"), ("Validation rows", "100"), ("Test rows", "120"), ("Epochs", "1"),
                         ("Seed", "7")):
        app.fill(label, value, role="spinbutton")
    app.select("Label corrections", "apply verdicts to train and validation rows")
    app.page.get_by_role("button", name="Start sweep").click()
    card = app.page.locator("[class*='st-key-job-']").first  # newest first
    expect(card).to_contain_text("1 correction applied (train: 1 relabelled; validation: none) from 1 verdict",
                                 timeout=app.sweep_timeout_ms)
    expect(card.locator(".stMarkdownBadge").filter(has_text=re.compile(r"\bdone$")).first).to_be_visible(
        timeout=app.sweep_timeout_ms)
    app.assert_healthy()
    app.screenshot("21-sweep-with-corrections")
