"""Home page: what to do first, what exists, and unreadable sweeps reported without hiding good ones."""

from __future__ import annotations

from .conftest import corrupt_sweep, metrics, page_links, values

HOME = "app.py"


def test_empty_home_says_to_start_a_sweep(open_page) -> None:
    at = open_page(HOME)
    assert at.title[0].value == "AG News Lab"
    assert "No runs yet: start a sweep on the Sweep page." in values(at.info)
    assert metrics(at) == {"Sweeps": "0", "Running or queued": "0", "Sweeps with a best run": "0"}
    assert "Start a sweep" in [link.proto.label for link in page_links(at)]
    assert not at.warning  # no artifacts folder yet is the normal first start
    assert any("created by the first sweep" in c for c in values(at.caption))


def test_home_links_every_page(open_page) -> None:
    at = open_page(HOME)
    targets = {link.proto.label for link in page_links(at)}
    assert {"Sweep", "Results", "Accuracy", "Errors", "Predict"} <= targets


def test_home_counts_a_finished_sweep_and_shows_the_artifacts_folder(open_page, artifacts, finished) -> None:
    at = open_page(HOME)
    assert metrics(at) == {"Sweeps": "1", "Running or queued": "0", "Sweeps with a best run": "1"}
    assert "No runs yet: start a sweep on the Sweep page." not in values(at.info)
    assert values(at.code) == [str(artifacts.resolve())]
    assert not at.warning


def test_corrupt_sweep_is_a_warning_and_good_sweeps_still_count(open_page, artifacts, finished) -> None:
    broken = corrupt_sweep(artifacts)
    at = open_page(HOME)
    warnings = values(at.warning)
    assert len(warnings) == 1
    assert broken.name in warnings[0] and "corrupt" in warnings[0]
    assert metrics(at)["Sweeps"] == "1"
    assert metrics(at)["Sweeps with a best run"] == "1"
