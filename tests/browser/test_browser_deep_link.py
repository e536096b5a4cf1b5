"""A shared link is the first thing a freshly started server serves: the app must still come up with its own navigation."""

from __future__ import annotations

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def test_a_deep_link_on_a_fresh_server_gets_the_app_navigation(app) -> None:
    app.open("/errors?true=1&pred=2")
    expect(app.heading("Errors")).to_be_visible()
    assert "true=1" in app.page.url and "pred=2" in app.page.url  # the link's filters survive the rerun
    nav = app.page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="app", exact=True)).to_have_count(0)
    app.assert_healthy()
