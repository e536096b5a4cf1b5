"""Render one job: state, progress, runs, live curves and a Cancel button."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from agnews_core.access.guard import AccessRefused
from agnews_core.access.identity import LOCAL_USER
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.states import SweepState
from agnews_core.sweeps.jobs import JobManager
from agnews_core.sweeps.progress import format_duration
from agnews_core.sweeps.snapshots import JobSnapshot
from agnews_ui import page_registry
from agnews_ui.auth import actor
from agnews_ui.charts import loss_figure
from agnews_ui.format import (
    STATE_BADGES,
    elapsed_seconds,
    escape_markdown,
    executor_label,
    pct,
    progress_fraction,
    progress_text,
    sweep_title,
)
from agnews_ui.resources import job_manager
from agnews_ui.state import flash, show_flash


def queue_job(config: SweepConfig, flash_key: str, what: str) -> None:
    """Submit a job for the signed-in user (a button's callback) and flash under flash_key what happened: queued
    with its estimate, refused with the role it needs, or not saved."""
    try:
        job = job_manager().submit(config, actor())
    except AccessRefused as refused:
        flash(flash_key, str(refused), "error")
        return
    except OSError as exc:
        flash(flash_key, f"The {what.lower()} could not be saved: {exc.strerror or exc}", "error")
        return
    flash(flash_key, f"{what} {job.sweep_id} queued: about {format_duration(job.estimate_seconds)}.")


def runs_table(view: JobSnapshot) -> pd.DataFrame:
    """One row per run: lr, state, step, eval loss, accuracy, problem."""
    rows = []
    for run in view.runs:
        rows.append({
            "lr": run.lr_label,
            "state": run.status,
            "steps": f"{run.steps_done}/{run.total_steps}" if run.total_steps else "",
            "eval loss": f"{run.final_eval_loss:.4f}" if run.final_eval_loss is not None else "",
            "test accuracy": pct(run.test.accuracy) if run.test else "",
            "note": run.error,
        })
        if any(r.node for r in view.runs):  # Ray sweeps: where each trial ran
            rows[-1]["node"] = run.node
    return pd.DataFrame(rows)


def render_job(manager: JobManager, view: JobSnapshot, show_curves: bool) -> None:
    """A bordered card for one sweep."""
    sweep = view.sweep
    colour, icon = STATE_BADGES.get(sweep.status, ("gray", ""))
    with st.container(border=True, key=f"job-{sweep.sweep_id}"):
        head, badge = st.columns([5, 1])
        head.markdown(f"**{escape_markdown(sweep_title(sweep))}**")
        badge.badge(sweep.status, icon=icon or None, color=colour)
        if sweep.status == SweepState.RUNNING and view.progress is not None:
            st.progress(progress_fraction(view.progress), text=progress_text(view.progress))
        elif sweep.status == SweepState.RUNNING:
            st.progress(0.0, text="Starting…")
        for trial in view.run_progress if sweep.status == SweepState.RUNNING else ():  # parallel Ray trials
            fraction = trial.step / trial.total_steps if trial.total_steps else 0.0
            st.progress(min(fraction, 1.0), text=progress_text(trial) + (f" · on {trial.node}" if trial.node else ""))
        if view.cluster is not None and sweep.status == SweepState.RUNNING:
            st.caption(f"Ray cluster: {view.cluster.describe()}")
        elif view.queue_position:
            st.caption(f"Queued: number {view.queue_position} in line; starts when the sweep before it ends.")
        estimate = f"estimated {format_duration(sweep.estimate_seconds)}" if sweep.estimate_seconds else ""
        took = elapsed_seconds(sweep.started_at, sweep.finished_at)
        took_text = f"took {format_duration(took)}" if took is not None else ""
        where = executor_label(sweep.config)
        precision = f"precision {sweep.environment.precision}" if sweep.environment else ""
        by = f" by {sweep.started_by}" if sweep.started_by not in ("", LOCAL_USER.who) else ""
        st.caption(" · ".join(x for x in (f"created {sweep.created_at}{by}", where, estimate, took_text,
                                          sweep.data_description, precision) if x))
        if sweep.corrections is not None:
            st.caption(f"Label corrections: {sweep.corrections.describe()}")
        if sweep.error and not sweep.status.is_active and sweep.status != SweepState.DONE:
            (st.error if sweep.status == SweepState.FAILED else st.warning)(sweep.error)
        if view.runs:
            st.dataframe(runs_table(view), hide_index=True, width="stretch")
        if show_curves and any(r.train_loss for r in view.runs):
            left, right = st.columns(2)
            left.plotly_chart(loss_figure(view.runs, "train"), key=f"live-train-{sweep.sweep_id}")
            right.plotly_chart(loss_figure(view.runs, "eval"), key=f"live-eval-{sweep.sweep_id}")
        actions = st.columns([1, 1, 4])
        if sweep.status.is_active:
            may_cancel = manager.may_cancel(sweep.sweep_id, actor())
            actions[0].button("Cancel", key=f"cancel-{sweep.sweep_id}", icon=":material/stop_circle:",
                              on_click=_cancel, args=(manager, sweep.sweep_id), disabled=not may_cancel,
                              help=None if may_cancel else f"Started by {sweep.started_by or 'someone else'}: "
                                                           "only they or an admin may cancel it.")
        show_flash(f"cancel-{sweep.sweep_id}")
        if sweep.best_run_id:
            with actions[1]:
                page_registry.link(page_registry.RESULTS, "Open results", query_params={"sweep": sweep.sweep_id})


def _cancel(manager: JobManager, sweep_id: str) -> None:
    # A flash, not a toast drawn in this run: a sweep that stops at once ends the polling with a full rerun,
    # which would drop a toast drawn before it; the card shows the flash in whichever run draws it next.
    try:
        flash(f"cancel-{sweep_id}", manager.cancel(sweep_id, actor()), "toast", icon=":material/stop_circle:")
    except AccessRefused as refused:
        flash(f"cancel-{sweep_id}", str(refused), "error", icon=":material/lock:")
