"""Errors page: find a run's suspects with its own model (a cross-fit job), then choose which ranking lists them."""

from __future__ import annotations

import streamlit as st

from agnews_core.access.roles import Action
from agnews_core.config.sweep_config import RAY
from agnews_core.review.crossfit_suspects import crossfit_review
from agnews_core.review.label_review import LabelReview
from agnews_core.store.records import SweepRecord
from agnews_core.sweeps.crossfit import CrossfitPlan, plan_crossfit
from agnews_core.sweeps.progress import format_duration
from agnews_ui.auth import allowed, why_not
from agnews_ui.jobs_view import queue_job, render_job
from agnews_ui.resources import FileVersion, file_version, job_manager
from agnews_ui.resources import store as get_store
from agnews_ui.state import flash, poll_while, show_flash

QUEUED = "crossfit_queued"  # flash slot
METHOD_KEY = "errors_ranking"
FAST, CROSSFIT, AVERAGE = "fast", "cross-fit", "both, averaged"
METHOD_HELP = ("fast: training rows scored by TF-IDF and MiniLM sentence embeddings, cross-validated and averaged. "
               "cross-fit: by this run's own model and settings, each fold trained on the others. both, averaged: "
               "the mean of the two. On planted flips the average did best with random flips and fast did best "
               "with Business <-> Sci/Tech flips (bench/README.md).")


def crossfits_of(sweep_id: str, run_id: str) -> list[SweepRecord]:
    """Cross-fits of this run, newest first."""
    sweeps, _ = job_manager().sweeps()
    return [s for s in sweeps if s.config.crossfit_of == f"{sweep_id}/{run_id}"]


def _plan(sweep: SweepRecord, run_id: str) -> CrossfitPlan | str:
    try:
        return plan_crossfit(job_manager().store, sweep.sweep_id, run_id)
    except (ValueError, OSError) as exc:
        return str(exc)


def render_crossfit(sweep: SweepRecord, run_id: str) -> None:
    """The button that queues a cross-fit of this run, with its estimate, and the live card of each of its cross-fits."""
    if sweep.config.crossfit_of:
        return
    plan = _plan(sweep, run_id)
    if isinstance(plan, str):
        st.caption(f"Suspects from the model itself are not available for this run: {plan}")
        return
    running = any(s.status.is_active for s in crossfits_of(sweep.sweep_id, run_id))
    may_start = allowed(Action.RUN_SWEEP)
    on_ray = " on Ray" if plan.config.executor == RAY else ""
    st.button(f"Find suspects with the model itself{on_ray}: about {format_duration(plan.estimate_seconds)}",
              icon=":material/model_training:", key="start_crossfit", on_click=_start, args=(sweep, run_id),
              disabled=running or not may_start,
              help=f"Trains this run's model {plan.config.crossfit_folds} more times, each on all but one fold of its "
                   f"{plan.rows:,} training rows, and scores the fold it left out; the job shows on the Sweep page "
                   "with progress and Cancel. It runs where this run's sweep ran"
                   + (f": as Ray trials at {plan.config.ray_address}, folds in parallel as the cluster allows."
                      if on_ray else ": on this machine, one fold after another."))
    if not may_start:
        st.caption(why_not(Action.RUN_SWEEP))
    show_flash(QUEUED)
    poll_while(lambda: any(s.status.is_active for s in crossfits_of(sweep.sweep_id, run_id)),
               lambda: _jobs(sweep.sweep_id, run_id))


def _start(sweep: SweepRecord, run_id: str) -> None:
    plan = _plan(sweep, run_id)
    if isinstance(plan, str):
        flash(QUEUED, plan, "error")
        return
    queue_job(plan.config, QUEUED, "Cross-fit")


def _jobs(sweep_id: str, run_id: str) -> None:
    """The cards of this run's cross-fits that are still running or queued, with progress and Cancel."""
    manager = job_manager()
    for sweep in crossfits_of(sweep_id, run_id):
        view = manager.job(sweep.sweep_id)
        if view is not None and sweep.status.is_active:
            render_job(manager, view, show_curves=False)


@st.cache_data(show_spinner=False, max_entries=8)
def _crossfit_review(sweep: SweepRecord, run_id: str, version: FileVersion, predictions: FileVersion, average: bool,
                     _fast: LabelReview | None) -> LabelReview | None:
    # `average` keys the cache; the fast review itself (unhashable) follows from the same run and files
    return crossfit_review(get_store(), sweep, run_id, _fast if average else None)


def ranked_review(sweep: SweepRecord, run_id: str, fast: LabelReview | None) -> LabelReview | None:
    """Once the run has a finished cross-fit: a choice of ranking, and the review ranked the chosen way."""
    paths = get_store().paths
    path = paths.crossfit_file(sweep.sweep_id, run_id)
    if not path.is_file():
        return fast
    method = st.segmented_control("Rank training rows by", [FAST, CROSSFIT, AVERAGE], default=FAST, key=METHOD_KEY,
                                  help=METHOD_HELP) or FAST
    if method == FAST:
        return fast
    versions = (file_version(path), file_version(paths.predictions_file(sweep.sweep_id, run_id)))
    review = _crossfit_review(sweep, run_id, *versions, method == AVERAGE, fast)
    if review is None:
        st.warning("The cross-fit of this run cannot be read, or scored other training rows than the fast ranking; "
                   "the training rows are ranked the fast way.")
        return fast
    return review
