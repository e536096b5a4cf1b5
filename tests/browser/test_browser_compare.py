"""Compare in the browser: pick "rows B fixed" and see those rows; an older Errors link to them lands on Compare.

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


def test_rows_b_fixed_show_on_compare(app, finished_sweep) -> None:
    _, record = finished_sweep
    app.open("/compare")
    expect(app.heading("Compare")).to_be_visible()
    sentence = app.main().get_by_text(re.compile(r"^B fixes \d+ rows? and breaks \d+"))
    expect(sentence).to_be_visible()
    fixed = int(re.search(r"B fixes (\d+)", sentence.inner_text())[1])
    app.screenshot("compare-tfidf-vs-best")
    app.main().get_by_role("radio", name=f"rows B fixed ({fixed:,})").click()
    app.wait_idle()
    expect(app.main().get_by_text(f"{fixed:,} rows B fixed (A was wrong, B is right)")).to_be_visible()
    expect(app.page).to_have_url(re.compile(r"/compare\?.*rows=fixed"))
    params = app.query_params()
    assert params["rows"] == "fixed" and params["a"] == f"{record.sweep_id}/tfidf"
    assert params["b"] == f"{record.sweep_id}/{record.best_run_id}"
    expect(app.main().get_by_test_id("stDataFrame")).to_have_count(2 if fixed else 1)  # the 2x2 table, then the rows
    app.screenshot("compare-rows-b-fixed")
    app.assert_healthy()


def test_an_older_errors_link_to_compared_rows_opens_them_on_compare(app, finished_sweep) -> None:
    _, record = finished_sweep
    app.open(f"/errors?sweep={record.sweep_id}&run={record.best_run_id}&compare={record.sweep_id}/tfidf&rows=missed")
    expect(app.heading("Compare")).to_be_visible()
    expect(app.page).to_have_url(re.compile(r"/compare\?.*rows=missed"))
    expect(app.main().get_by_text(re.compile(r"^[\d,]+ rows both runs missed"))).to_be_visible()
    app.assert_healthy()
