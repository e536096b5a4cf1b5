"""What each role sees on the pages: controls it may not use are disabled and say which role may; a signed-in
reviewer's verdicts carry their identity with no name to type. (The core refuses the same actions: tests/core.)"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from agnews_core.access.audit import AuditLog, Outcome
from agnews_core.access.identity import Identity
from agnews_core.access.roles import Role
from agnews_core.review.verdicts import VerdictStore

from .conftest import TIMEOUT, button, values
from .test_label_review_page import verdict_form_app

VIEWER = Identity(subject="v", email="vi@example.com", role=Role.VIEWER)
REVIEWER = Identity(subject="r", email="re@example.com", role=Role.REVIEWER)


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch):
    """Factory: make every page see this identity as the session's signed-in user."""
    def sign_in(identity: Identity) -> Identity:
        # By name: Streamlit may have imported the module afresh since this file imported it.
        monkeypatch.setattr("agnews_ui.auth.current_identity", lambda: identity)
        # Each AppTest serves pages/ the legacy way until app.py runs st.navigation; this makes the page go
        # through app.py (its gate and sidebar), as every page of a real server does.
        monkeypatch.setattr("agnews_ui.page_registry._navigation_built", False)
        return identity
    return sign_in


def test_a_viewer_cannot_start_a_sweep(open_page, signed_in) -> None:
    signed_in(VIEWER)
    at = open_page("pages/sweep.py")
    start = next(b for b in at.get("form_submit_button") if b.proto.label == "Start sweep")
    assert start.proto.disabled
    assert any(v.startswith("Starting a sweep needs the admin or analyst role; you are signed in as vi@example.com "
                            "(viewer)") for v in values(at.caption))


def test_a_viewer_cannot_add_a_data_set(open_page, signed_in) -> None:
    signed_in(VIEWER)
    at = open_page("pages/data.py")
    assert any("Registering a data set needs the admin or analyst role" in v for v in values(at.info))
    assert not at.get("file_uploader")


def test_the_sidebar_shows_who_is_signed_in_with_sign_out(open_page, signed_in) -> None:
    signed_in(REVIEWER)
    at = open_page("pages/home.py")
    assert any("re@example.com · reviewer" in v for v in values(at.sidebar.caption))
    assert [b.label for b in at.sidebar.button] == ["Sign out"]


def test_the_local_user_has_no_sidebar_identity(open_page) -> None:
    at = open_page("pages/home.py")
    assert not [b for b in at.sidebar.button if b.label == "Sign out"]


def test_a_viewer_gets_no_verdict_form(tmp_path, signed_in) -> None:
    signed_in(VIEWER)
    at = AppTest.from_function(verdict_form_app, args=(str(tmp_path), "Stocks fell", 2, 3),
                               default_timeout=TIMEOUT).run()
    assert not [b for b in at.button if b.label == "Record verdict"]
    assert any(v.startswith("Recording a verdict needs the admin, analyst or reviewer role") for v in values(at.caption))


def test_a_signed_in_reviewer_records_under_their_identity_without_typing_a_name(tmp_path, signed_in) -> None:
    signed_in(REVIEWER)
    at = AppTest.from_function(verdict_form_app, args=(str(tmp_path), "Stocks fell", 2, 3),
                               default_timeout=TIMEOUT).run()
    assert not [box for box in at.text_input if box.label == "Reviewer (optional)"]
    assert any(v.startswith("Recording as re@example.com") for v in values(at.caption))
    button(at, "Record verdict").click().run()
    assert [v.reviewer for v in VerdictStore(tmp_path, "sample").list()] == ["re@example.com"]
    button(at, "Clear re@example.com's verdict").click().run()
    assert VerdictStore(tmp_path, "sample").list() == []
    assert [(e.who, e.action, e.outcome) for e in AuditLog(tmp_path).read().entries] == [
        ("re@example.com", "record_verdict", Outcome.DONE), ("re@example.com", "record_verdict", Outcome.DONE)]
