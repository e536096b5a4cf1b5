"""AppTest fixtures: the app pointed at a temporary artifacts folder, with Streamlit caches reset around each test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from agnews_core.store.layout import ROOT_ENV

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
TIMEOUT = 60  # the first run that imports torch or transformers takes seconds


def reset_streamlit() -> None:
    """Stop the cached job manager's worker, then forget every cached resource and table."""
    from agnews_core.serving import warmup
    from agnews_ui import resources

    resources.job_manager().stop()
    warmup.LOADER.clear(keep=(warmup.TFIDF_KEY,))  # the TF-IDF demo does not depend on artifacts: fit it once
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def artifacts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The artifacts folder the app uses (not created yet: a fresh install); caches reset before and after."""
    root = tmp_path / "artifacts"
    monkeypatch.setenv(ROOT_ENV, str(root))
    reset_streamlit()
    yield root
    reset_streamlit()  # runs before monkeypatch restores the environment


@pytest.fixture
def finished(artifacts: Path, finished_sweep: tuple[Any, Any]) -> Any:
    """A copy of the shared finished 2-LR tiny sweep in this test's artifacts folder; returns its record."""
    store, record = finished_sweep
    shutil.copytree(store.root, artifacts)
    return record


@pytest.fixture
def open_page(artifacts: Path) -> Callable[..., AppTest]:
    """Factory: run the app, switch to a page (with optional query parameters) and check it raised nothing."""

    def open_(page: str, **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        for name, value in query.items():
            at.query_params[name] = value
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_


def corrupt_sweep(root: Path, name: str = "20990101-000000-broken") -> Path:
    """A sweep folder whose sweep.json is not JSON."""
    folder = root / "sweeps" / name
    folder.mkdir(parents=True)
    (folder / "sweep.json").write_text("{not json", encoding="utf-8")
    return folder


def values(elements: Any) -> list[str]:
    """The text of every element in a list (info, warning, error, caption, markdown...)."""
    return [str(e.value) for e in elements]


def metrics(at: AppTest) -> dict[str, str]:
    """Every metric on the page, label -> shown value."""
    return {m.label: m.value for m in at.metric}


def button(at: AppTest, label: str) -> Any:
    """The one button with this label."""
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, [b.label for b in at.button]
    return found[0]


def page_links(at: AppTest) -> list[Any]:
    """Every st.page_link element (AppTest has no typed accessor for them)."""
    return list(at.get("page_link"))
