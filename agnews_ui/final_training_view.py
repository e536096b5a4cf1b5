"""Results page sections: train a finished sweep's best learning rate on more rows, and load a kept run in code."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from agnews_core.serving.snippets import pipeline_snippet
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.final_training import FINAL_EPOCHS, FinalPlan, plan_final_training
from agnews_core.sweeps.progress import format_duration
from agnews_ui.jobs_view import render_job
from agnews_ui.resources import job_manager

FLASH_KEY = "final_training_flash"


def final_trainings_of(sweep_id: str) -> list[SweepRecord]:
    """Final trainings already made from this sweep, newest first."""
    sweeps, _ = job_manager().sweeps()
    return [s for s in sweeps if s.config.final_of == sweep_id]


def _plan(sweep: SweepRecord, train_size: int | None, epochs: float | None) -> FinalPlan | str:
    try:
        return plan_final_training(job_manager().store, sweep.sweep_id, train_size, epochs)
    except (ValueError, OSError) as exc:
        return str(exc)


def render_final_training(sweep: SweepRecord) -> None:
    """Rows and epochs, the ETA, a button that queues the job, and the live card of each final training."""
    if sweep.config.final_of or not sweep.status.succeeded or not sweep.best_run_id:
        return
    st.subheader("Final training")
    full = _plan(sweep, None, None)
    if isinstance(full, str):
        st.info(f"No final training possible: {full}", icon=":material/info:")
        return
    st.caption(f"Retrain the best learning rate (lr {full.config.learning_rates[0]:g}) on more rows of "
               f"{full.source_description}, then score the whole official test split ({full.config.test_size:,} rows).")
    left, right = st.columns(2)
    rows = left.number_input("Train rows", min_value=1, max_value=full.max_train_rows, value=full.max_train_rows,
                             step=1000, key="final_train_rows", help="Default: every train row available.")
    epochs = right.number_input("Epochs", min_value=0.05, max_value=20.0, value=FINAL_EPOCHS, step=0.5,
                                key="final_epochs")
    plan = _plan(sweep, int(rows), float(epochs))
    if isinstance(plan, str):
        st.error(plan)
        return
    st.caption(f"Estimated time: about {format_duration(plan.estimate_seconds)} on this machine.")
    if st.button("Start final training", type="primary", icon=":material/play_arrow:", key="start_final"):
        try:
            job = job_manager().submit(plan.config)
            st.session_state[FLASH_KEY] = f"Final training {job.sweep_id} queued: about {format_duration(job.estimate_seconds)}."
        except OSError as exc:
            st.error(f"The final training could not be saved: {exc.strerror or exc}")
        st.rerun()
    if FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(FLASH_KEY), icon=":material/check:")
    active = any(s.status.is_active for s in final_trainings_of(sweep.sweep_id))
    st.fragment(run_every=2 if active else None)(_final_jobs)(sweep.sweep_id, active)


def _final_jobs(sweep_id: str, was_active: bool) -> None:
    """The cards of this sweep's final trainings, with progress and Cancel, refreshed while one runs."""
    manager = job_manager()
    views = [v for v in (manager.job(s.sweep_id) for s in final_trainings_of(sweep_id)) if v is not None]
    for view in views:
        render_job(manager, view, show_curves=False)
    if was_active and not any(v.sweep.status.is_active for v in views):
        st.rerun()  # the last one ended: stop polling


def render_pipeline_snippet(sweep: SweepRecord, runs: Sequence[RunRecord]) -> None:
    """Code that loads a kept run with transformers.pipeline, for the best run when its model is kept."""
    kept = [r for r in runs if r.model_saved]
    if not kept:
        return
    run = next((r for r in kept if r.run_id == sweep.best_run_id), kept[0])
    st.subheader("Use this model in your own code")
    st.caption(f"lr {run.lr_label}'s kept model is a plain transformers folder:")
    st.code(pipeline_snippet(job_manager().store.model_dir(sweep.sweep_id, run.run_id)), language="python")
