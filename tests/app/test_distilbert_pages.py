"""The notebook's DistilBERT family on every result page: a tiny DistilBERT sweep opens without errors."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from distilbert_folder import build_tiny_distilbert
from sweep_configs import small_config

from .conftest import values


@pytest.fixture(scope="module")
def distilbert_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    """(store, record) of a finished one-LR sweep of a tiny DistilBERT folder, its model kept."""
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.sweeps.runner import run_sweep

    folder = build_tiny_distilbert(tmp_path_factory.mktemp("tiny-distilbert"))
    store = ArtifactStore(tmp_path_factory.mktemp("distilbert-artifacts"))
    record = run_sweep(store, small_config(model=str(folder), keep_models="best"))
    assert record.status == "done", record.error
    return store, record


@pytest.fixture
def distilbert(artifacts: Path, distilbert_sweep: tuple[Any, Any]) -> Any:
    store, record = distilbert_sweep
    shutil.copytree(store.root, artifacts)
    return record


@pytest.mark.parametrize("page", ["pages/results.py", "pages/accuracy.py", "pages/errors.py", "pages/predict.py"])
def test_each_page_opens_a_distilbert_sweep_without_errors(open_page, distilbert, page: str) -> None:
    at = open_page(page, sweep=distilbert.sweep_id, run=distilbert.best_run_id)
    assert not at.error, values(at.error)


def test_predict_classifies_with_the_distilbert_model(open_page, distilbert) -> None:
    from agnews_core.labels import LABELS

    at = open_page("pages/predict.py", sweep=distilbert.sweep_id, run=distilbert.best_run_id)
    at.text_area[0].input("Stocks rally as oil prices fall")
    next(b for b in at.button if b.label == "Classify").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Label"] in LABELS
