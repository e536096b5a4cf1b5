"""Sweep and run pickers shared by the result pages; the choice lives in the URL so links can be shared."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from agnews_core.states import RunState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_ui import page_registry
from agnews_ui.format import sweep_title

if TYPE_CHECKING:
    from agnews_core.serving.predictor import RunRef


def list_sweeps_and_warn() -> list[SweepRecord]:
    """The job manager's readable sweeps (dead jobs shown interrupted); warn about the artifacts folder and
    unreadable sweep folders without stopping the page."""
    from agnews_ui.resources import job_manager

    manager = job_manager()
    problem = manager.store.root_problem()
    if problem and manager.store.root.exists():
        st.warning(problem)
    sweeps, broken = manager.sweeps()
    for entry in broken:
        st.warning(f"Skipped an unreadable sweep folder: {entry.path} ({entry.problem})", icon=":material/report:")
    return sweeps


def sweeps_or_first_steps() -> list[SweepRecord]:
    """list_sweeps_and_warn(); with no sweep at all, say how to start one and stop the page."""
    sweeps = list_sweeps_and_warn()
    if not sweeps:
        st.info("No runs yet: start a sweep on the Sweep page.", icon=":material/info:")
        page_registry.link(page_registry.SWEEP, "Go to Sweep")
        st.stop()
    return sweeps


def pick_sweep(sweeps: list[SweepRecord], key: str = "sweep") -> SweepRecord:
    """A select box of sweeps, newest first; defaults to ?sweep= or the latest one."""
    ids = [s.sweep_id for s in sweeps]
    wanted = st.query_params.get("sweep")
    index = ids.index(wanted) if wanted in ids else 0
    by_id = {s.sweep_id: s for s in sweeps}
    chosen = st.selectbox("Sweep", ids, index=index, key=key,
                          format_func=lambda i: f"{sweep_title(by_id[i])} ({by_id[i].status})")
    st.query_params["sweep"] = chosen
    return by_id[chosen]


def load_runs(store: ArtifactStore, sweep: SweepRecord) -> list[RunRecord]:
    """A sweep's readable runs; unreadable ones are reported."""
    runs, broken = store.load_runs(sweep)
    for entry in broken:
        st.warning(f"Skipped an unreadable run: {entry.path} ({entry.problem})", icon=":material/report:")
    return runs


def pick_finished_run(runs: list[RunRecord], sweep: SweepRecord, key: str = "run") -> RunRecord | None:
    """A select box of finished runs; defaults to ?run= or the best run. None when no run finished."""
    finished = [r for r in runs if r.status == RunState.DONE and r.test is not None]
    if not finished:
        return None
    ids = [r.run_id for r in finished]
    wanted = st.query_params.get("run")
    default = wanted if wanted in ids else (sweep.best_run_id if sweep.best_run_id in ids else ids[0])
    by_id = {r.run_id: r for r in finished}

    def label(run_id: str) -> str:
        run = by_id[run_id]
        best = " (best by eval loss)" if run_id == sweep.best_run_id else ""
        return f"lr {run.lr_label}{best}"

    chosen = st.selectbox("Run", ids, index=ids.index(default), key=key, format_func=label)
    st.query_params["run"] = chosen
    return by_id[chosen]


def pick_model() -> RunRef | None:
    """A select box of every run with saved weights, then the latest sweep's untrained model; None while no run has
    saved weights (Predict then answers with the TF-IDF demo alone and offers the quick demo model)."""
    from agnews_core.serving.predictor import UNTRAINED_RUN, RunRef, runs_with_models  # loads torch: Predict only
    from agnews_ui.resources import store

    sweeps = list_sweeps_and_warn()
    refs = runs_with_models(store())
    if not refs:
        return None
    refs.append(RunRef(sweeps[0].sweep_id, UNTRAINED_RUN))
    by_sweep = {s.sweep_id: s for s in sweeps}

    def describe(ref: RunRef) -> str:
        """'run02-lr1e-4 (best) · sweep 2026…' or 'untrained minilm (baseline) · sweep 2026…'."""
        sweep = by_sweep.get(ref.sweep_id)
        if ref.is_untrained:
            return f"untrained {sweep.config.model if sweep else ''} (baseline) · sweep {ref.sweep_id}"
        best = " (best)" if sweep and sweep.best_run_id == ref.run_id else ""
        name = f" · {sweep.config.label}" if sweep and sweep.config.label else ""
        return f"{ref.run_id}{best} · sweep {ref.sweep_id}{name}"

    choice = st.selectbox("Model", range(len(refs)), format_func=lambda i: describe(refs[i]),
                          help="Default: the latest final training, else the best run of the latest sweep that kept its weights.")
    return refs[choice]


def pick_sweep_and_finished_run(store: ArtifactStore, what: str) -> tuple[SweepRecord, list[RunRecord], RunRecord]:
    """Sweep and run pickers side by side; stop the page with a hint when there is nothing to show yet."""
    sweeps = sweeps_or_first_steps()
    left, right = st.columns(2)
    with left:
        sweep = pick_sweep(sweeps)
    runs = load_runs(store, sweep)
    with right:
        run = pick_finished_run(runs, sweep)
    if run is None:
        st.info(f"This sweep has no finished run yet: its {what} appear when a run completes.", icon=":material/info:")
        st.stop()
    return sweep, runs, run
