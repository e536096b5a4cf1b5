"""Cancel from the browser: a long tiny sweep stops on the card's Cancel button and says so."""

from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def test_cancel_a_running_sweep_from_its_card(app) -> None:
    app.open("/")
    app.go("Sweep", "sweep")
    app.fill("Learning rates", "1e-3")
    app.select("Model", "tiny BERT (seconds, smoke tests)")
    app.select("Data", "bundled AG News sample")
    for label, value in (("Train rows", "5000"), ("Validation rows", "100"), ("Test rows", "100"), ("Epochs", "5")):
        app.fill(label, value, role="spinbutton")
    app.page.get_by_role("button", name="Start sweep").click()

    card = app.page.locator("[class*='st-key-job-']")
    expect(card).to_have_count(1)
    badge = card.locator(".stMarkdownBadge")
    # Cancel while it trains, as a user watching the progress line would.
    expect(card.get_by_test_id("stProgress")).to_contain_text(re.compile(r"step \d+/\d+"),
                                                              timeout=app.sweep_timeout_ms)
    expect(badge).to_have_text(re.compile(r"\brunning$"))
    card.get_by_role("button", name="Cancel").click()
    expect(app.page.get_by_test_id("stToast")).to_contain_text("Stopping after the current training step")

    expect(badge.filter(has_text=re.compile(r"\bcancelled$")).first).to_be_visible(timeout=app.sweep_timeout_ms)
    app.wait_idle()
    expect(badge).to_have_count(1)  # the last refresh may briefly draw the card twice; it must settle on one
    expect(badge).to_have_text(re.compile(r"\bcancelled$"))
    expect(card.get_by_role("button", name="Cancel")).to_have_count(0)
    expect(card.locator("td", has_text=re.compile(r"cancelled at step \d+"))).to_have_count(1)  # says what was kept
    app.assert_healthy()
    app.page.reload()  # the state lives on disk, not in this browser session
    app.wait_idle()
    expect(app.page.locator("[class*='st-key-job-'] .stMarkdownBadge")).to_have_text(re.compile(r"\bcancelled$"))
    app.screenshot("09-sweep-cancelled")
