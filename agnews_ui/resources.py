"""Process-wide cached resources: the one job manager, loaded predictors, prediction tables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.layout import default_root
from agnews_core.sweeps.jobs import JobManager

WARMUP_ENV = "AGNEWS_WARMUP"  # "0": no background loading (only to measure what it saves)

if TYPE_CHECKING:  # importing live_predict loads torch: only the first Predict page pays for it
    from agnews_core.serving.predictor import Predictor
    from agnews_core.serving.tfidf_demo import TfidfPredictor
    from agnews_core.store.variant_record import InferenceVariant


@st.cache_resource(show_spinner=False)
def job_manager() -> JobManager:
    """The single job manager every browser session shares."""
    return JobManager.shared(default_root())


def store() -> ArtifactStore:
    """The artifact store the job manager writes to."""
    return job_manager().store


def predictor(sweep_id: str, run_id: str, variant: InferenceVariant | None,
              waiting: str = "Loading the model…") -> Predictor:
    """A loaded model for live predictions, shared by every session; waits for its background load if needed.

    variant None: the variant chosen for this run (its record), else fp32.
    """
    from agnews_core.serving import warmup

    return _wait(warmup.start_model(store().root, sweep_id, run_id, variant), waiting)


def tfidf_demo(data: str = "sample") -> TfidfPredictor:
    """The TF-IDF demo predictor of a data set (fitted once per process in the background); waits for the fit."""
    from agnews_core.serving import warmup

    what = "the bundled sample" if data == "sample" else data
    return _wait(warmup.start_tfidf(data, store().root), f"Fitting the TF-IDF demo on {what}…")


def _wait(pending: Any, message: str) -> Any:
    """A background load's result; a spinner only while it is still running (re-raises its error)."""
    if pending.future.done():
        return pending.future.result()
    with st.spinner(message):
        return pending.future.result()


def warm_up(sweep_id: str | None = None, run_id: str | None = None, variant: InferenceVariant | None = None) -> None:
    """Start loading, in the background, the TF-IDF demo and the given run's model, else the Predict default."""
    from agnews_core.serving import warmup

    if os.environ.get(WARMUP_ENV, "1") == "0":  # bench/first_answer.py's baseline: load on the first Classify
        return
    root = store().root
    warmup.start_default(root, variant)
    if sweep_id and run_id:
        warmup.start_model(root, sweep_id, run_id, variant)


FileVersion = tuple[int, int, int] | None


def file_version(path: Path) -> FileVersion:
    """(inode, size, modification time in ns) of a file, None when it is missing: changes whenever it is rewritten.

    Cached tables take it as a plain argument: st.cache_data hashes it, so a rewritten file is read again (an
    argument named with a leading underscore would not be hashed, and the old table would be served forever).
    """
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


@st.cache_data(show_spinner=False, max_entries=16)
def predictions(sweep_id: str, run_id: str, version: FileVersion) -> pd.DataFrame:
    """A run's per-example predictions as stored when the file had this version."""
    return store().load_predictions(sweep_id, run_id)


def load_predictions(sweep_id: str, run_id: str) -> pd.DataFrame:
    """A run's predictions, read again whenever the file changes; ArtifactError when it cannot be read."""
    return predictions(sweep_id, run_id, file_version(store().paths.predictions_file(sweep_id, run_id)))


@st.cache_data(show_spinner=False)
def sample_headlines(data: str = "sample") -> list[str]:
    """Two test texts per label of a data set (the bundled sample by default), read once per data set."""
    from agnews_core.data.sources import load_source
    from agnews_core.data.sources import sample_headlines as read_sample_headlines

    if data == "sample":
        return read_sample_headlines(per_label=2)
    return read_sample_headlines(per_label=2, frame=load_source(data, store().root).test)


@st.cache_data(show_spinner="Loading the data…", max_entries=2)
def source_rows(source: str) -> pd.DataFrame:
    """Every train and test row of a data source (text, label), to check imported verdicts against."""
    from agnews_core.data.sources import load_source

    data = load_source(source)
    return pd.concat([data.train, data.test], ignore_index=True)
