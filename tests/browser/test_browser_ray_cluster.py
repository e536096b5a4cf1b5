"""A sweep submitted from the browser runs on a Ray cluster started separately with `ray start --head`.

The cluster is this module's own (loopback only, token authentication on as Ray 2.60 defaults): it is started
before the app's server and stopped, alone, after it. Once the sweep is done, the cluster's own actor table shows its
trials ran there, and its runs open on Results, Accuracy, Errors, Compare and Predict like a thread sweep's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ray_support import TRIAL_ACTOR, actors_of, separate_head

from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactStore

expect = pytest.importorskip("playwright.sync_api").expect
pytest.importorskip("ray")

pytestmark = pytest.mark.browser

LEARNING_RATES = ("3e-3", "1e-3")
LABELS = ("World", "Sports", "Business", "Sci/Tech")
RAY_SWEEP_TIMEOUT_MS = 480_000  # each trial's worker imports torch first; 2 busy cores


@pytest.fixture(scope="module")
def ray_head() -> Iterator[str]:
    """'127.0.0.1:PORT' of a Ray head started like a user would; only its own processes are stopped at the end."""
    with separate_head("rb-") as head:
        yield head.address


@pytest.fixture(scope="module")
def artifacts_root() -> dict[str, Path]:
    """Filled with the server's artifacts folder once the server is being made."""
    return {}


@pytest.fixture(scope="module")
def prepare_artifacts(ray_head: str, artifacts_root: dict[str, Path]) -> Callable[[Path], None]:
    """The server starts after the cluster (so ~/.ray/auth_token exists), over an empty folder this test can read."""

    def remember(artifacts: Path) -> None:
        artifacts_root["path"] = artifacts

    return remember


def open_page(app, title: str, path: str, sweep_id: str) -> None:
    """Open a page from the sidebar; its sweep picker (when it has one) shows the Ray sweep."""
    app.go(title, path)
    app.assert_healthy()
    picker = app.page.get_by_role("combobox", name="Sweep", exact=True)
    if picker.count():
        expect(picker).to_have_value(re.compile(rf"^{re.escape(sweep_id)} "))


def test_a_sweep_from_the_browser_runs_on_a_separately_started_cluster(ray_head, artifacts_root, app) -> None:
    address = ray_head
    app.open("/")
    app.go("Sweep", "sweep")
    app.fill("Learning rates", ", ".join(LEARNING_RATES))
    app.select("Model", "tiny BERT (seconds, smoke tests)")
    app.select("Data", "bundled AG News sample")
    for label, value in (("Train rows", "400"), ("Validation rows", "100"), ("Test rows", "100"), ("Epochs", "4")):
        app.fill(label, value, role="spinbutton")
    app.page.get_by_text("Range search, early stopping and Ray").click()
    app.select("Run on", "Ray (a local or remote cluster)")
    app.fill("Ray address", address)

    answer = app.main().get_by_test_id(re.compile(r"stAlertContent(Success|Error)")).filter(has_text=f"Ray at {address}")
    app.press_until("Check cluster", answer, timeout_ms=RAY_SWEEP_TIMEOUT_MS)
    check = app.main().get_by_test_id("stAlertContentSuccess").filter(has_text=f"Ray at {address}:")
    expect(check).to_contain_text(re.compile(r"1 node \(127\.0\.0\.1\): 2 CPUs \(2 free\), 0 GPUs \(0 free\), Ray 2\."),
                                  timeout=RAY_SWEEP_TIMEOUT_MS)
    app.assert_healthy()
    app.screenshot("ray-01-cluster-checked")

    app.page.get_by_role("button", name="Start sweep").click()
    expect(app.main().get_by_text(re.compile(r"Sweep \S+ queued: about"))).to_be_visible(timeout=RAY_SWEEP_TIMEOUT_MS)
    card = app.page.locator("[class*='st-key-job-']")
    expect(card).to_have_count(1)
    expect(card.first).to_contain_text(f"on Ray ({address})")

    store = ArtifactStore(artifacts_root["path"])
    (sweep,) = store.list_sweeps()[0]
    assert sweep.config.executor == "ray" and sweep.config.ray_address == address

    badge = card.locator(".stMarkdownBadge")
    expect(badge.filter(has_text=re.compile(r"\bdone$")).first).to_be_visible(timeout=RAY_SWEEP_TIMEOUT_MS)
    app.wait_idle()
    expect(badge).to_have_count(1)  # the last refresh may briefly draw the card twice; it must settle on one
    expect(badge.first).to_have_text(re.compile(r"\bdone$"))
    # A refresh can draw the card twice for a moment (the old copy stays until the new one is in): read the first.
    expect(card.first).to_contain_text(f"on Ray ({address})")  # the executor, on the sweep's card
    table = card.first.get_by_test_id("stDataFrame")
    expect(table.locator("tbody tr")).to_have_count(len(LEARNING_RATES))
    expect(table.locator("td", has_text="127.0.0.1")).to_have_count(len(LEARNING_RATES))  # each trial's node
    app.assert_healthy()
    app.screenshot("ray-02-sweep-done")
    record = store.load_sweep(sweep.sweep_id)
    assert record.status == SweepState.DONE and record.best_run_id
    runs = store.load_runs(record)[0]
    assert [r.status for r in runs] == [RunState.DONE] * 2 and {r.node for r in runs} == {"127.0.0.1"}
    # The cluster's own record, read after the sweep: its trials and their board ran there, in one job.
    ran = actors_of(address)
    trials = [a for a in ran if a.class_name == TRIAL_ACTOR]
    (board,) = [a for a in ran if a.class_name == "TrialBoard"]
    assert trials and {a.job_id for a in trials} == {board.job_id}, ran
    assert {a.node_ip for a in trials} == {r.node for r in runs}, ran

    open_page(app, "Results", "results", sweep.sweep_id)
    charts = app.main().locator(".js-plotly-plot")
    expect(charts).to_have_count(2)  # training loss and eval loss, one curve per learning rate
    for index in range(2):
        expect(charts.nth(index).locator(".legendtext")).to_have_text([f"lr {lr}" for lr in LEARNING_RATES])
    results = app.main().get_by_test_id("stDataFrame").first
    results.scroll_into_view_if_needed()
    expect(results.locator("tbody tr")).to_have_count(len(LEARNING_RATES))
    expect(results.locator("td", has_text="★ best")).to_have_count(1)
    expect(app.main().get_by_text(f"on Ray ({address})")).to_be_visible()  # the executor, on the sweep
    app.assert_healthy()
    app.screenshot("ray-03-results")

    open_page(app, "Accuracy", "accuracy", sweep.sweep_id)
    expect(app.main().get_by_role("heading", name=re.compile(r"^Confusion matrix, lr "))).to_be_visible()
    expect(app.main().get_by_test_id("stMetric").filter(has_text="Fine-tuned, lr")).to_contain_text("%")
    app.assert_healthy()

    open_page(app, "Errors", "errors", sweep.sweep_id)
    expect(app.page.get_by_role("combobox", name="Run", exact=True)).to_have_value(re.compile(r"^lr .+\(best"))
    expect(app.main().get_by_test_id("stDataFrame").first).to_be_visible()
    expect(app.main().get_by_text(re.compile(r"[\d,]+ misclassified rows"))).to_be_visible()
    app.assert_healthy()

    open_page(app, "Compare", "compare", sweep.sweep_id)
    expect(app.page.get_by_role("combobox", name="Run B (the challenger)", exact=True)).to_have_value(
        re.compile(re.escape(sweep.sweep_id)))
    expect(app.main().get_by_text(re.compile(r"^B fixes \d+ rows? and breaks \d+"))).to_be_visible()
    app.assert_healthy()

    open_page(app, "Predict", "predict", sweep.sweep_id)
    expect(app.page.get_by_role("combobox", name="Model", exact=True)).to_have_value(
        re.compile(rf"\(best\) · sweep {re.escape(sweep.sweep_id)}"))
    app.page.get_by_role("textbox", name="Text", exact=True).fill("Oil prices jump as supply fears grow")
    app.page.get_by_role("button", name="Classify").click()
    one_label = re.compile(rf"^({'|'.join(map(re.escape, LABELS))})$")
    label = app.main().get_by_test_id("stMetric").filter(has_text="Label")
    expect(label.get_by_test_id("stMetricValue")).to_have_text([one_label, one_label])  # the run's, then TF-IDF's
    app.assert_healthy()
    app.screenshot("ray-04-predict")
