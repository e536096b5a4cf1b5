"""Artifacts written before schema_version existed (a real v1 sweep folder) open on every page and in the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, metrics, page_links, values

FIXTURE = REPO / "tests" / "fixtures" / "v1_artifacts"
SWEEP_ID = "20261126-234315-15d1bd"
BEST = "run02-lr3e-4"


@pytest.fixture
def v1(artifacts: Path) -> Path:
    """The v1 folder copied in as the app's artifacts folder."""
    shutil.copytree(FIXTURE, artifacts)
    return artifacts


def test_the_fixture_is_version_1() -> None:
    sweep = json.loads((FIXTURE / "sweeps" / SWEEP_ID / "sweep.json").read_text())
    run = json.loads((FIXTURE / "sweeps" / SWEEP_ID / "runs" / BEST / "run.json").read_text())
    assert "schema_version" not in sweep and "schema_version" not in run
    assert not list(FIXTURE.rglob("*.safetensors"))


def test_home_counts_the_v1_sweep(open_page, v1) -> None:
    at = open_page("app.py")
    assert metrics(at) == {"Sweeps": "1", "Running or queued": "0", "Sweeps with a best run": "1"}
    assert not at.warning


def test_sweep_page_lists_the_v1_sweep(open_page, v1) -> None:
    at = open_page("pages/sweep.py")
    assert any("created 2026-11-26T23:43:15Z" in c for c in values(at.caption))  # the v1 sweep's job card
    assert "Open results" in [link.proto.label for link in page_links(at)]
    assert not at.warning


def test_results_shows_both_v1_runs_best_first(open_page, v1) -> None:
    at = open_page("pages/results.py")
    table = at.dataframe[0].value
    assert list(table["lr"]) == ["3e-4", "1e-3"] and table["eval loss"].is_monotonic_increasing
    assert "★ best" in list(table[""])
    assert any("were not recorded for this sweep" in c.value for c in at.caption)  # no environment in v1
    assert "python -m agnews_core sweep --from" in at.code[-1].value


def test_accuracy_shows_the_v1_best_run(open_page, v1) -> None:
    at = open_page("pages/accuracy.py")
    assert "Fine-tuned, lr 3e-4" in metrics(at)
    assert at.selectbox(key="run").value == BEST


def test_errors_reads_the_v1_predictions(open_page, v1) -> None:
    at = open_page("pages/errors.py")
    assert any("misclassified rows" in m for m in values(at.markdown))
    assert len(at.dataframe[0].value) > 0


def test_predict_answers_with_the_tfidf_demo_beside_the_v1_sweep(open_page, v1) -> None:
    # The fixture kept no weights: no fine-tuned model to choose (the untrained one is listed only beside one).
    at = open_page("pages/predict.py")
    assert [box.label for box in at.selectbox] == ["Data set", "Or pick a sample text"]
    assert at.selectbox(key="predict_demo_data").value == "sample"
    assert any(m.startswith("No fine-tuned model yet: answers come from the TF-IDF demo.") for m in values(at.info))
    assert not at.warning and not at.error


def test_the_cli_lists_the_v1_sweep(v1_artifacts: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", "agnews_core", "runs", "--artifacts", str(v1_artifacts)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"{SWEEP_ID}  done" in result.stdout and "unreadable" not in result.stdout
    best_line = next(line for line in result.stdout.splitlines() if BEST in line)
    assert best_line.lstrip().startswith("*") and "test acc" in best_line
