"""Map in the browser: a box drawn over the map lists its rows, and the button opens exactly those rows in Errors.

The server starts over a copy of the shared finished tiny sweep.
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
    store, _ = finished_sweep

    def copy(artifacts: Path) -> None:
        shutil.copytree(store.root, artifacts, dirs_exist_ok=True)

    return copy


def test_a_box_selection_opens_its_rows_in_errors(app, finished_sweep) -> None:
    _, record = finished_sweep
    app.open(f"/map?sweep={record.sweep_id}&run={record.best_run_id}")
    expect(app.heading("Map")).to_be_visible()
    plot = app.main().locator(".js-plotly-plot").first
    expect(plot).to_be_visible()
    plot.hover()
    plot.locator('.modebar-btn[data-title="Box Select"]').click()
    box = plot.locator(".nsewdrag").first.bounding_box()
    start = (box["x"] + box["width"] * 0.05, box["y"] + box["height"] * 0.05)
    app.page.mouse.move(*start)
    app.page.mouse.down()
    for step in range(1, 11):  # plotly draws the box from the moves in between
        app.page.mouse.move(start[0] + box["width"] * 0.09 * step, start[1] + box["height"] * 0.09 * step)
    app.page.mouse.up()
    app.wait_idle()
    count_line = app.main().get_by_text(re.compile(r"^[\d,]+ rows selected, [\d,]+ misclassified$"))
    expect(count_line).to_be_visible()
    selected = int(re.match(r"([\d,]+)", count_line.inner_text())[1].replace(",", ""))
    assert selected > 0
    app.screenshot("map-box-selection")
    app.main().get_by_role("button", name="Open these rows in Errors").click()
    expect(app.heading("Errors")).to_be_visible()
    app.wait_idle()
    expect(app.main().get_by_text(f"Showing only the {selected:,} rows selected on the Map", exact=False)).to_be_visible()
    app.screenshot("errors-from-map-selection")
    app.main().get_by_role("button", name="Show every row").click()
    app.wait_idle()
    expect(app.main().get_by_text("rows selected on the Map", exact=False)).to_have_count(0)
    app.assert_healthy()
