"""Compare -> Errors in the browser: open "rows B fixed" and see the Errors view filtered to them.

The server starts over a copy of the shared finished tiny sweep (no sweep through the UI: that is test_browser_flow's).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def prepare_artifacts(finished_sweep) -> Callable[[Path], None]:
    """The server starts over a copy of the finished tiny sweep (its TF-IDF baseline's predictions included)."""
    store, _ = finished_sweep

    def copy(artifacts: Path) -> None:
        shutil.copytree(store.root, artifacts, dirs_exist_ok=True)

    return copy


def test_rows_b_fixed_open_in_the_errors_view(app, finished_sweep) -> None:
    _, record = finished_sweep
    app.open("/compare")
    expect(app.heading("Compare")).to_be_visible()
    sentence = app.main().get_by_text(re.compile(r"^B fixes \d+ rows? and breaks \d+"))
    expect(sentence).to_be_visible()
    fixed = int(re.search(r"B fixes (\d+)", sentence.inner_text())[1])
    link = app.main().get_by_role("link", name=re.compile(r"Open the \d+ rows B fixed"))
    app.screenshot("compare-tfidf-vs-best")
    link.click()
    expect(app.page).to_have_url(re.compile(r"/errors\?.*compare="))
    expect(app.heading("Errors")).to_be_visible()
    app.wait_idle()
    params = app.query_params()
    assert params["rows"] == "fixed" and params["run"] == record.best_run_id
    assert params["compare"] == f"{record.sweep_id}/tfidf"
    expect(app.main().get_by_text(f"Comparison: {fixed:,} rows B fixed")).to_be_visible()
    if fixed:
        expect(app.main().get_by_test_id("stDataFrame")).to_have_count(1)
    app.screenshot("errors-rows-b-fixed")
    app.assert_healthy()
