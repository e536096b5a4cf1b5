"""Sign-in from the browser against a real OpenID Connect provider (oidc-provider-mock on 127.0.0.1): an anonymous
visitor sees only the sign-in, each role sees what it may do, cancels and verdicts land in the audit log, a tampered
auth cookie is refused and XSRF protection stays on.

One provider and one app server (with a copy of the shared finished tiny sweep) serve the whole module; every user
signs in once, in a browser context of their own (cookies never mix), and the steps run in file order.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.served_app import free_port, served_app

from agnews_core.access.audit import AuditLog

sync_api = pytest.importorskip("playwright.sync_api")
oidc = pytest.importorskip("oidc_provider_mock")
expect = sync_api.expect

pytestmark = pytest.mark.browser

ADMIN, ANALYST, OTHER_ANALYST = "admin@example.com", "alice@analysts.example.com", "bob@analysts.example.com"
REVIEWER, VIEWER = "rita@example.com", "vic@example.com"
ROLE_OF = {ADMIN: "admin", ANALYST: "analyst", OTHER_ANALYST: "analyst", REVIEWER: "reviewer", VIEWER: "viewer"}
# Every way [agnews.roles] names people: a group claim, a domain, one email, and a domain for everyone else there.
ROLES_TOML = """[agnews.roles]
admin = ["group:ml-admins"]
analyst = ["*@analysts.example.com"]
reviewer = ["rita@example.com"]
viewer = ["*@example.com"]
"""
# Long enough to be cancelled while it trains (tests/browser/test_browser_cancel.py).
LONG_SWEEP = (("Train rows", "5000"), ("Validation rows", "100"), ("Test rows", "100"), ("Epochs", "5"))
STEP = re.compile(r"step \d+/\d+")


def _provider_users() -> list:
    return [oidc.User(sub=email, claims={"email": email, "groups": ["ml-admins"] if email == ADMIN else []})
            for email in ROLE_OF]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The identity provider's base URL; it listens on 127.0.0.1 only."""
    with oidc.run_server_in_thread(port=0, user_claims=_provider_users()) as running:
        assert running.server_address[0] == "127.0.0.1"
        yield f"http://127.0.0.1:{running.server_port}"


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory, finished_sweep) -> Path:
    """The app's artifacts folder: a copy of the shared finished sweep (the reviewer's Errors page reads it)."""
    store, _ = finished_sweep
    root = tmp_path_factory.mktemp("signin-server") / "artifacts"
    shutil.copytree(store.root, root)
    return root


@pytest.fixture(scope="module")
def server(provider: str, artifacts: Path) -> Iterator[str]:
    """`streamlit run app.py` on 127.0.0.1 with an [auth] table that points at the provider (overrides conftest's)."""
    port = free_port()  # the redirect URI names it before the server starts
    secrets = artifacts.parent / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-cookie-secret-for-the-browser-tests"
client_id = "agnews-lab"
client_secret = "not-a-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[agnews]
session_hours = 12

{ROLES_TOML}""", encoding="utf-8")
    secrets.chmod(0o600)
    env = {"AGNEWS_ARTIFACTS": str(artifacts), "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    with served_app(env, port=port, extra_args=["--secrets.files", str(secrets)],
                    log=artifacts.parent / "streamlit.log") as served:
        yield served.url


@pytest.fixture(scope="module")
def signed_in(new_browser_app: Callable) -> Callable:
    """`signed_in(email)`: that user's tab, signed in through the provider's form on first use."""
    users = {}

    def user(email: str):
        if email not in users:
            app = new_browser_app()
            app.open("/")
            app.main().get_by_role("button", name="Sign in").click()
            # The provider's authorize page: one button per predefined user, labelled with its sub.
            app.page.get_by_role("button", name=email, exact=True).click()
            expect(sidebar(app)).to_contain_text(f"{email} · {ROLE_OF[email]}")
            app.wait_idle()
            users[email] = app
        return users[email]

    return user


@pytest.fixture(scope="module")
def errors_path(finished_sweep) -> str:
    _, record = finished_sweep
    return f"errors?sweep={record.sweep_id}&run={record.best_run_id}"


def sidebar(app) -> sync_api.Locator:
    return app.page.get_by_test_id("stSidebar")


def job_card(app, sweep_id: str) -> sync_api.Locator:
    return app.page.locator(f".st-key-job-{sweep_id}")


def start_long_sweep(app) -> str:
    """Start a tiny sweep that trains for a while; its id once its card shows a training step."""
    app.go("Sweep", "sweep")
    app.fill("Learning rates", "1e-3")
    app.select("Model", "tiny BERT (seconds, smoke tests)")
    app.select("Data", "bundled AG News sample")
    for label, value in LONG_SWEEP:
        app.fill(label, value, role="spinbutton")
    app.page.get_by_role("button", name="Start sweep").click()
    queued = app.main().get_by_text(re.compile(r"Sweep \S+ queued"))
    expect(queued).to_be_visible()
    sweep_id = re.search(r"Sweep (\S+) queued", queued.inner_text())[1]
    expect(job_card(app, sweep_id).get_by_test_id("stProgress")).to_contain_text(STEP, timeout=app.sweep_timeout_ms)
    return sweep_id


def cancel(app, sweep_id: str) -> None:
    """Click the card's Cancel and wait until the sweep says it was cancelled."""
    card = job_card(app, sweep_id)
    card.get_by_role("button", name="Cancel").click()
    expect(app.page.get_by_test_id("stToast")).to_contain_text("Stopping after the current training step")
    expect(card.locator(".stMarkdownBadge").filter(has_text=re.compile(r"\bcancelled$")).first).to_be_visible(
        timeout=app.sweep_timeout_ms)


def select_first_row(app) -> None:
    """Tick the Errors table's first row (the grid is a canvas: click where its row marker is drawn)."""
    table = app.main().get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    table.hover()
    app.page.mouse.click(box["x"] + 18, box["y"] + 36 + 30)  # header ~36 px, then rows of 60 px
    app.wait_idle()


def test_an_anonymous_visitor_sees_only_the_sign_in_on_every_url(new_browser_app, errors_path) -> None:
    visitor = new_browser_app()
    # The first request a fresh server gets is a deep link: Streamlit runs that page file alone (the legacy pages/
    # folder), and the page must still end at the sign-in.
    for path in ("/audit", "/sweep", f"/{errors_path}&split=train", "/data", "/results", "/"):
        visitor.open(path)
        main = visitor.main()
        expect(main.get_by_role("button", name="Sign in")).to_be_visible()
        expect(visitor.heading("AG News Lab")).to_be_visible()
        expect(main).to_contain_text("Sign in to see runs, data sets and reviews")
        expect(visitor.page.get_by_test_id("stSidebar")).to_have_count(0)  # no navigation, no identity
        for content in ("stDataFrame", "stMetric", "stForm", "stTabs", "stPageLink", "stFileUploader", "stExpander"):
            expect(main.get_by_test_id(content)).to_have_count(0)
        expect(main.get_by_role("heading", level=1)).to_have_count(1)
        visitor.assert_healthy()
    visitor.screenshot("30-signin-screen")


def test_a_viewer_sees_their_role_and_may_not_start_upload_or_record(signed_in, errors_path) -> None:
    viewer = signed_in(VIEWER)
    expect(sidebar(viewer)).to_contain_text(f"{VIEWER} · viewer")
    expect(sidebar(viewer).get_by_role("button", name="Sign out")).to_be_visible()
    expect(viewer.page.get_by_test_id("stSidebarNav").get_by_role("link", name="Audit log")).to_have_count(0)
    viewer.screenshot("31-signin-sidebar-identity")

    viewer.go("Sweep", "sweep")
    expect(viewer.page.get_by_role("button", name="Start sweep")).to_be_disabled()
    expect(viewer.main()).to_contain_text(
        f"Starting a sweep needs the admin or analyst role; you are signed in as {VIEWER} (viewer).")

    viewer.go("Data", "data")
    viewer.main().get_by_role("tab", name="Add a data set").click()
    viewer.wait_idle()
    expect(viewer.main()).to_contain_text(
        f"Registering a data set needs the admin or analyst role; you are signed in as {VIEWER} (viewer).")
    expect(viewer.main().get_by_test_id("stFileUploader")).to_have_count(0)

    viewer.open(errors_path)
    select_first_row(viewer)
    expect(viewer.main()).to_contain_text(
        f"Recording a verdict needs the admin, analyst or reviewer role; you are signed in as {VIEWER} (viewer).")
    expect(viewer.main().get_by_role("button", name="Record verdict")).to_have_count(0)
    expect(viewer.main().get_by_role("textbox", name="Reviewer (optional)")).to_have_count(0)
    viewer.assert_healthy()


CANCELLED_SWEEPS: list[str] = []  # the analyst's sweeps cancelled by the admin, then by the analyst


def test_only_the_owner_or_an_admin_may_cancel_a_running_sweep(signed_in) -> None:
    analyst = signed_in(ANALYST)
    first = start_long_sweep(analyst)
    expect(job_card(analyst, first).get_by_role("button", name="Cancel")).to_be_enabled()

    for onlooker in (signed_in(OTHER_ANALYST), signed_in(VIEWER)):
        onlooker.open("/sweep")
        card = job_card(onlooker, first)
        expect(card.locator(".stMarkdownBadge")).to_have_text(re.compile(r"\brunning$"))
        expect(card.get_by_role("button", name="Cancel")).to_be_disabled()
        onlooker.assert_healthy()

    admin = signed_in(ADMIN)
    admin.open("/sweep")
    cancel(admin, first)
    admin.assert_healthy()

    second = start_long_sweep(analyst)  # their own, which they may cancel
    cancel(analyst, second)
    analyst.assert_healthy()
    CANCELLED_SWEEPS.extend((first, second))  # for the audit log test below (its steps follow in file order)


def test_a_reviewers_verdict_carries_their_email(signed_in, errors_path, artifacts) -> None:
    reviewer = signed_in(REVIEWER)
    reviewer.open(errors_path)
    select_first_row(reviewer)
    expect(reviewer.main().get_by_role("textbox", name="Reviewer (optional)")).to_have_count(0)
    expect(reviewer.main()).to_contain_text(f"Recording as {REVIEWER}.")
    form = reviewer.main().get_by_test_id("stForm")
    form.get_by_role("textbox", name="Note (optional)").fill("signed-in review")
    form.get_by_role("button", name="Record verdict").click()
    expect(reviewer.page.get_by_test_id("stToast")).to_contain_text("Verdict recorded")
    expect(reviewer.main().get_by_test_id("stDataFrame").locator("td", has_text=REVIEWER)).not_to_have_count(0)
    reviewer.assert_healthy()
    recorded = [e for e in AuditLog(artifacts).read().entries if e.action == "record_verdict"]
    assert [(e.who, e.role, e.outcome) for e in recorded] == [(REVIEWER, "reviewer", "done")]


def test_the_admin_reads_every_action_in_the_audit_log_and_others_have_no_such_page(signed_in, artifacts) -> None:
    first, second = CANCELLED_SWEEPS
    log = AuditLog(artifacts).read()
    assert log.unreadable_lines == 0
    entries = {(e.who, e.role, e.action, e.target, str(e.outcome)) for e in log.entries}
    assert {(ANALYST, "analyst", "run_sweep", first, "done"), (ANALYST, "analyst", "run_sweep", second, "done"),
            (ADMIN, "admin", "cancel_any_job", first, "done"),
            (ANALYST, "analyst", "cancel_own_job", second, "done")} <= entries
    assert not [e for e in entries if e[4] == "refused"]  # the UI offered nobody an action their role lacks

    admin = signed_in(ADMIN)
    admin.go("Audit log", "audit")
    table = admin.main().get_by_test_id("stDataFrame")
    for who, action in ((ANALYST, "run_sweep"), (ADMIN, "cancel_any_job"), (ANALYST, "cancel_own_job"),
                        (REVIEWER, "record_verdict")):
        expect(table.locator("tr", has=admin.page.locator("td", has_text=action)).filter(has_text=who)
               .first).to_be_attached()
    expect(admin.main()).to_contain_text(f"{len(log.entries)} of {len(log.entries)} entries")
    admin.assert_healthy()
    admin.screenshot("32-audit-log")

    for other in (ANALYST, REVIEWER, VIEWER):
        user = signed_in(other)
        expect(user.page.get_by_test_id("stSidebarNav").get_by_role("link", name="Audit log")).to_have_count(0)
        user.open("/audit")
        expect(user.heading("Audit log")).to_have_count(0)
        expect(user.main().get_by_test_id("stDataFrame").locator("td", has_text="cancel_any_job")).to_have_count(0)


def test_a_tampered_auth_cookie_is_refused(new_browser_app, signed_in) -> None:
    viewer = signed_in(VIEWER)
    context = viewer.page.context
    cookie = next(c for c in context.cookies() if c["name"] == "_streamlit_user")
    value = cookie["value"]
    middle = len(value) // 2
    forged = value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1:]
    context.add_cookies([{**cookie, "value": forged}])
    viewer.page.reload()
    viewer.wait_idle()
    expect(viewer.main().get_by_role("button", name="Sign in")).to_be_visible()
    expect(viewer.page.get_by_test_id("stSidebar")).to_have_count(0)
    viewer.assert_healthy()


def test_xsrf_protection_stays_on(signed_in, server) -> None:
    user = signed_in(REVIEWER)
    xsrf = next(c for c in user.page.context.cookies() if c["name"] == "_streamlit_xsrf")
    assert not xsrf["httpOnly"]  # the page's script reads it to send the token back
    upload = f"{server}/_stcore/upload_file/some-session/some-file"
    files = {"file": {"name": "x.csv", "mimeType": "text/csv", "buffer": b"text,label\nhello,World\n"}}
    refused = user.page.request.put(upload, multipart=files)  # the browser sends the cookie, but not the token
    assert refused.status == 403 and "XSRF" in refused.text()
    with_token = user.page.request.put(upload, multipart=files, headers={"X-Xsrftoken": xsrf["value"]})
    assert with_token.status != 403  # past the XSRF check; refused only for the made-up session
