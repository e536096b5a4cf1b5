"""Which stored runs can be compared (fine-tuned runs and TF-IDF baselines, across sweeps), and the rows B fixed,
broke or both missed, for the Compare page."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from agnews_core.analysis.run_comparison import RunComparison, compare_runs
from agnews_core.modeling.prediction_frames import split_rows
from agnews_core.states import RunState
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore
from agnews_core.store.layout import validate_id

TFIDF_RUN = "tfidf"  # stands for a sweep's TF-IDF baseline wherever a run id is expected (a run id has an lr in it)


class RowSet(StrEnum):
    """The rows of a comparison the Compare page can show."""

    FIXED = "fixed"  # A wrong, B right
    BROKEN = "broke"  # A right, B wrong
    BOTH_MISSED = "missed"  # both wrong

    @property
    def caption(self) -> str:
        return {RowSet.FIXED: "rows B fixed (A was wrong, B is right)",
                RowSet.BROKEN: "rows B broke (A was right, B is wrong)",
                RowSet.BOTH_MISSED: "rows both runs missed"}[self]


@dataclass(frozen=True)
class RunChoice:
    """One comparable run: a fine-tuned run of a sweep, or a sweep's TF-IDF baseline (run_id TFIDF_RUN)."""

    sweep_id: str
    run_id: str
    label: str  # what the pickers show
    best: bool = False  # the sweep's best run by eval loss

    @property
    def key(self) -> str:
        """'<sweep id>/<run id>': the form used in URLs."""
        return f"{self.sweep_id}/{self.run_id}"

    @property
    def is_tfidf(self) -> bool:
        return self.run_id == TFIDF_RUN


def parse_key(key: str) -> tuple[str, str]:
    """'<sweep id>/<run id>' -> (sweep id, run id); ValueError for anything else."""
    sweep_id, slash, run_id = str(key).partition("/")
    if not slash:
        raise ValueError(f"{key!r} is not '<sweep id>/<run id>'")
    return validate_id(sweep_id, "sweep id"), validate_id(run_id, "run id")


def comparable_runs(store: ArtifactStore) -> list[RunChoice]:
    """Every finished run with stored predictions, newest sweep first, each sweep's TF-IDF baseline after its runs.

    Sweeps older than the stored TF-IDF predictions simply offer no baseline.
    """
    choices: list[RunChoice] = []
    sweeps, _ = store.list_sweeps()
    for sweep in sweeps:
        runs, _ = store.load_runs(sweep)
        for run in runs:
            if run.status == RunState.DONE and run.test is not None and \
                    store.paths.predictions_file(sweep.sweep_id, run.run_id).is_file():
                best = run.run_id == sweep.best_run_id
                choices.append(RunChoice(sweep.sweep_id, run.run_id, f"lr {run.lr_label}{', best' if best else ''} · "
                                         f"{sweep.config.model} · sweep {sweep.sweep_id}", best))
        if store.has_tfidf_predictions(sweep.sweep_id):
            choices.append(RunChoice(sweep.sweep_id, TFIDF_RUN, f"TF-IDF baseline · sweep {sweep.sweep_id}"))
    return choices


def default_pair(choices: list[RunChoice]) -> tuple[RunChoice, RunChoice]:
    """(A, B) to compare first: B the newest sweep's best run, A that sweep's TF-IDF baseline, else another run.

    `choices` come newest sweep first (comparable_runs' order); ValueError with fewer than two.
    """
    if len(choices) < 2:
        raise ValueError(f"comparing needs two runs, got {len(choices)}")
    newest = choices[0].sweep_id
    b = next((c for c in choices if c.best and c.sweep_id == newest), choices[0])
    a = next((c for c in choices if c.is_tfidf and c.sweep_id == b.sweep_id), None)
    return a or next(c for c in choices if c.key != b.key), b


def describe(store: ArtifactStore, sweep_id: str, run_id: str) -> str:
    """A short name for a run in sentences: 'TF-IDF (sweep X)' or 'lr 1e-4 (sweep X)'."""
    if run_id == TFIDF_RUN:
        return f"TF-IDF (sweep {sweep_id})"
    try:
        return f"lr {store.load_run(sweep_id, run_id).lr_label} (sweep {sweep_id})"
    except (ArtifactError, ValueError):
        return f"{run_id} (sweep {sweep_id})"


def load_run_predictions(store: ArtifactStore, sweep_id: str, run_id: str) -> pd.DataFrame:
    """A run's stored prediction frame, or the TF-IDF baseline's; ArtifactError when it cannot be read."""
    if run_id == TFIDF_RUN:
        return store.load_tfidf_predictions(sweep_id)
    return store.load_predictions(sweep_id, run_id)


def compare_stored(store: ArtifactStore, a: tuple[str, str], b: tuple[str, str]) -> RunComparison:
    """Compare two stored runs (sweep id, run id); ValueError (different test rows) or ArtifactError (unreadable)."""
    frame_a, frame_b = load_run_predictions(store, *a), load_run_predictions(store, *b)
    return compare_runs(frame_a, frame_b, "A", "B")


def rows_of_b(comparison: RunComparison, frame_b: pd.DataFrame, which: RowSet,
              frame_a: pd.DataFrame | None = None) -> pd.DataFrame:
    """B's test rows in one set of the comparison, as B predicted them (B's prediction-frame columns); with frame_a,
    also A's prediction of each row as column 'predicted_a'."""
    positions = {RowSet.FIXED: comparison.fixed, RowSet.BROKEN: comparison.broken,
                 RowSet.BOTH_MISSED: comparison.both_missed}[RowSet(which)]
    rows = split_rows(frame_b, "test").iloc[list(comparison.in_b(positions))].reset_index(drop=True)
    if frame_a is not None:
        rows["predicted_a"] = split_rows(frame_a, "test")["predicted"].to_numpy()[list(positions)]
    return rows
