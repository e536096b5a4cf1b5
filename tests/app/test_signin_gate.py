"""The gate in front of every page: a server beyond 127.0.0.1 without sign-in serves nothing unless allowed on
purpose, and with sign-in configured a visitor sees only the sign-in screen until signed in with a role.

AppTest cannot sign in through a provider (tests/browser/test_browser_signin.py does); it seeds `st.user` with the
claims a signed-in session would carry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from agnews_ui.auth import ALLOW_ANONYMOUS_ENV

from .conftest import APP, TIMEOUT, values

AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a-cookie-secret-for-tests-only",
        "client_id": "agnews-lab", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ROLES = {"admin": ["group:ml-admins"], "viewer": ["*@example.com"]}
PAGE_NOT_REGISTERED = "Could not find a navigation page"


@pytest.fixture
def listening_on(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make the app believe the server listens on an address (`streamlit run --server.address ...`)."""
    real = st.get_option

    def use(address: str) -> None:
        monkeypatch.setattr(st, "get_option", lambda key: address if key == "server.address" else real(key))

    return use


def _run(secrets: dict[str, Any] | None = None, user: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for name, table in (secrets or {}).items():
        at.secrets[name] = table
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _signed_in(email: str, groups: tuple[str, ...] = (), age_s: float = 60) -> dict[str, Any]:
    """The st.user of a session whose identity token says this, issued age_s ago."""
    return {"is_logged_in": True, "sub": email, "email": email, "groups": list(groups), "iat": time.time() - age_s}


def _only_the_gate(at: AppTest) -> None:
    """No page but the gate's: no navigation, nothing in the sidebar, no way to switch to Home."""
    assert at.title.values == ["AG News Lab"]
    assert list(at.sidebar.children.values()) == []
    with pytest.raises(ValueError, match=PAGE_NOT_REGISTERED):
        at.switch_page("pages/home.py")


@pytest.mark.parametrize("address", ["0.0.0.0", "", "192.168.1.20"], ids=["all-interfaces", "unset", "lan"])
def test_without_sign_in_a_server_beyond_loopback_serves_nothing(address, listening_on, artifacts, monkeypatch) -> None:
    monkeypatch.delenv(ALLOW_ANONYMOUS_ENV, raising=False)
    listening_on(address)
    at = _run()
    assert len(at.error) == 1 and "serves no data" in at.error[0].value
    assert f"listens on {address or 'every network interface'} without sign-in" in at.error[0].value
    assert ALLOW_ANONYMOUS_ENV in at.error[0].value and "docs/deploy.md" in at.error[0].value
    assert at.button.len == 0 and at.metric.len == 0  # no Home metrics, no Sweeps count
    _only_the_gate(at)


@pytest.mark.parametrize(("address", "allow"), [("0.0.0.0", "1"), ("127.0.0.1", None), ("localhost", None)])
def test_loopback_or_allowing_anonymous_use_lets_the_local_user_in(address, allow, listening_on, artifacts,
                                                                   monkeypatch) -> None:
    if allow is None:
        monkeypatch.delenv(ALLOW_ANONYMOUS_ENV, raising=False)
    else:
        monkeypatch.setenv(ALLOW_ANONYMOUS_ENV, allow)
    listening_on(address)
    at = _run()
    assert not any("serves no data" in e.value for e in at.error)
    assert {m.label for m in at.metric} == {"Sweeps", "Running or queued", "Sweeps with a best run"}  # Home
    assert not any(c.value.startswith(":material/account_circle:") for c in at.sidebar.caption)  # no one to name
    with pytest.raises(ValueError, match=PAGE_NOT_REGISTERED):
        at.switch_page("pages/audit.py")  # the local user has nobody to audit
    at.switch_page("pages/data.py").run()
    assert at.title.values == ["Data"] and not at.exception


def test_allowing_anonymous_use_takes_exactly_1(listening_on, artifacts, monkeypatch) -> None:
    monkeypatch.setenv(ALLOW_ANONYMOUS_ENV, "yes")
    listening_on("0.0.0.0")
    assert "serves no data" in _run().error[0].value


@pytest.mark.parametrize("providers", [(), ("google", "microsoft")], ids=["one-provider", "named-providers"])
def test_with_sign_in_an_anonymous_visitor_sees_only_sign_in(providers, listening_on, artifacts, monkeypatch) -> None:
    monkeypatch.delenv(ALLOW_ANONYMOUS_ENV, raising=False)
    listening_on("0.0.0.0")  # sign-in is what makes a server beyond loopback safe to serve
    auth = {**AUTH, **{name: {"client_id": name, "client_secret": "s",
                              "server_metadata_url": AUTH["server_metadata_url"]} for name in providers}}
    at = _run({"auth": auth, "agnews": {"roles": ROLES}}, {"is_logged_in": False})
    expected = [f"Sign in with {p}" for p in providers] or ["Sign in"]
    assert [b.label for b in at.button] == expected
    assert at.error.len == 0 and at.metric.len == 0
    assert any("Sign in to see runs" in m for m in values(at.markdown))
    _only_the_gate(at)


def test_a_signed_in_user_sees_their_email_and_role_and_no_audit_log(artifacts) -> None:
    at = _run({"auth": AUTH, "agnews": {"roles": ROLES}}, _signed_in("vic@example.com"))
    assert "vic@example.com · viewer" in at.sidebar.caption[0].value
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert {m.label for m in at.metric} == {"Sweeps", "Running or queued", "Sweeps with a best run"}
    with pytest.raises(ValueError, match=PAGE_NOT_REGISTERED):
        at.switch_page("pages/audit.py")


def test_an_admin_gets_the_audit_log(artifacts) -> None:
    at = _run({"auth": AUTH, "agnews": {"roles": ROLES}}, _signed_in("root@elsewhere.org", groups=("ml-admins",)))
    assert "root@elsewhere.org · admin" in at.sidebar.caption[0].value
    at.switch_page("pages/audit.py").run()
    assert at.title.values == ["Audit log"] and not at.exception
    assert any("Nothing recorded yet" in i for i in values(at.info))


def test_a_signed_in_user_without_a_role_is_let_in_to_nothing(artifacts) -> None:
    at = _run({"auth": AUTH, "agnews": {"roles": ROLES}}, _signed_in("someone@elsewhere.org"))
    assert "someone@elsewhere.org" in at.warning[0].value and "no role yet" in at.warning[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    _only_the_gate(at)


def test_a_sign_in_older_than_session_hours_must_be_renewed(artifacts) -> None:
    secrets = {"auth": AUTH, "agnews": {"roles": ROLES, "session_hours": 1}}
    assert "vic@example.com · viewer" in _run(secrets, _signed_in("vic@example.com", age_s=50 * 60)) \
        .sidebar.caption[0].value
    at = _run(secrets, _signed_in("vic@example.com", age_s=61 * 60))
    assert at.user["is_logged_in"] is False  # signed out
    assert [b.label for b in at.button] == ["Sign in"]
    _only_the_gate(at)


def test_roles_that_cannot_be_read_let_nobody_in(artifacts) -> None:
    at = _run({"auth": AUTH, "agnews": {"roles": {"superuser": ["*"]}}}, _signed_in("vic@example.com"))
    assert "unknown role 'superuser'" in at.error[0].value and at.button.len == 0
    _only_the_gate(at)
