"""Results page sections: train a finished sweep's best learning rate on more rows, and load a kept run in code."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from agnews_core.access.roles import Action
from agnews_core.serving.snippets import EXAMPLE_HEADLINE, pipeline_snippet
from agnews_core.store.artifact_store import ArtifactError
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.final_training import FINAL_EPOCHS, FinalPlan, plan_final_training
from agnews_core.sweeps.progress import format_duration
from agnews_ui.auth import allowed, why_not
from agnews_ui.jobs_view import queue_job, render_job
from agnews_ui.resources import job_manager
from agnews_ui.state import flash, poll_while, show_flash

QUEUED = "final_training_queued"  # flash slot
ROWS_KEY, EPOCHS_KEY = "final_train_rows", "final_epochs"


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
    if sweep.config.final_of or sweep.config.crossfit_of or not sweep.status.succeeded or not sweep.best_run_id:
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
                             step=1000, key=ROWS_KEY, help="Default: every train row available.")
    epochs = right.number_input("Epochs", min_value=0.05, max_value=20.0, value=FINAL_EPOCHS, step=0.5,
                                key=EPOCHS_KEY)
    plan = _plan(sweep, int(rows), float(epochs))
    if isinstance(plan, str):
        st.error(plan)
        return
    st.caption(f"Estimated time: about {format_duration(plan.estimate_seconds)} on this machine.")
    may_start = allowed(Action.FINAL_TRAINING)
    st.button("Start final training", type="primary", icon=":material/play_arrow:", key="start_final",
              on_click=_start, args=(sweep,), disabled=not may_start)
    if not may_start:
        st.caption(why_not(Action.FINAL_TRAINING))
    show_flash(QUEUED)
    poll_while(lambda: any(s.status.is_active for s in final_trainings_of(sweep.sweep_id)),
               lambda: _final_jobs(sweep.sweep_id))


def _start(sweep: SweepRecord) -> None:
    # Planned again from the inputs' state: a value typed just before the click reaches this callback, not args
    # taken when the button was drawn.
    plan = _plan(sweep, int(st.session_state[ROWS_KEY]), float(st.session_state[EPOCHS_KEY]))
    if isinstance(plan, str):
        flash(QUEUED, plan, "error")
        return
    queue_job(plan.config, QUEUED, "Final training")


def _final_jobs(sweep_id: str) -> None:
    """The cards of this sweep's final trainings, with progress and Cancel."""
    manager = job_manager()
    for view in (manager.job(s.sweep_id) for s in final_trainings_of(sweep_id)):
        if view is not None:
            render_job(manager, view, show_curves=False)


def render_pipeline_snippet(sweep: SweepRecord, runs: Sequence[RunRecord]) -> None:
    """Code that loads a kept run with transformers.pipeline, for the best run when its model is kept."""
    kept = [r for r in runs if r.model_saved]
    if not kept:
        return
    run = next((r for r in kept if r.run_id == sweep.best_run_id), kept[0])
    st.subheader("Use this model in your own code")
    st.caption(f"lr {run.lr_label}'s kept model is a plain transformers folder; it answers with this data's labels "
               f"({', '.join(sweep.labels.names[:6])}{', …' if len(sweep.labels.names) > 6 else ''}):")
    store = job_manager().store
    example = EXAMPLE_HEADLINE
    if sweep.dataset_id:  # a text of the user's own data set reads better than a news headline
        try:
            example = str(store.load_predictions(sweep.sweep_id, run.run_id)["text"].iloc[-1])
        except (ArtifactError, IndexError, KeyError):
            example = EXAMPLE_HEADLINE
    st.code(pipeline_snippet(store.model_dir(sweep.sweep_id, run.run_id), example), language="python")
