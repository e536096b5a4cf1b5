"""Process-wide cached resources: the one job manager, loaded predictors, prediction tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from agnews_core.artifacts import ArtifactStore
from agnews_core.jobs import JobManager
from agnews_core.paths import default_root

if TYPE_CHECKING:  # importing live_predict loads torch: only the first Predict page pays for it
    from agnews_core.live_predict import Predictor


@st.cache_resource(show_spinner=False)
def job_manager() -> JobManager:
    """The single job manager every browser session shares."""
    return JobManager.shared(default_root())


def store() -> ArtifactStore:
    """The artifact store the job manager writes to."""
    return job_manager().store


@st.cache_resource(show_spinner="Loading the model…", max_entries=4)
def predictor(sweep_id: str, run_id: str, quantize: bool) -> Predictor:
    """A loaded model for live predictions, kept across reruns and sessions (torch loads on the first call)."""
    from agnews_core.live_predict import Predictor, RunRef

    return Predictor.for_run(store(), RunRef(sweep_id, run_id), quantize=quantize)


@st.cache_data(show_spinner=False, max_entries=16)
def predictions(sweep_id: str, run_id: str, _mtime: float) -> pd.DataFrame:
    """A run's per-example predictions (cached until the file changes)."""
    return store().load_predictions(sweep_id, run_id)


def load_predictions(sweep_id: str, run_id: str) -> pd.DataFrame:
    """Cached predictions keyed by the file's modification time."""
    try:
        mtime = store().paths.predictions_file(sweep_id, run_id).stat().st_mtime
    except OSError:
        mtime = 0.0
    return predictions(sweep_id, run_id, mtime)


@st.cache_data(show_spinner=False)
def sample_headlines() -> list[str]:
    """Two test headlines per label from the bundled sample, read once."""
    from agnews_core.data import sample_headlines as read_sample_headlines

    return read_sample_headlines(per_label=2)


@st.cache_data(show_spinner="Loading the data…", max_entries=2)
def source_rows(source: str) -> pd.DataFrame:
    """Every train and test row of a data source (text, label), to check imported verdicts against."""
    from agnews_core.data import load_source

    data = load_source(source)
    return pd.concat([data.train, data.test], ignore_index=True)
