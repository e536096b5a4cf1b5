"""Sweep: a form that launches a learning-rate sweep, and the live list of every job."""

import streamlit as st

from agnews_core.access.guard import AccessRefused
from agnews_core.access.roles import Action
from agnews_core.config.sweep_config import Corrections
from agnews_core.review.corrections import recorded_verdicts
from agnews_core.states import SweepState
from agnews_core.sweeps.executors.ray_cluster import INSTALL_HINT, ClusterError, check_cluster, ray_available
from agnews_core.sweeps.progress import format_duration
from agnews_core.sweeps.request import FORM, SweepRequest, exposed_fields, validate_request
from agnews_ui import page_registry
from agnews_ui.auth import actor, allowed, why_not
from agnews_ui.field_widgets import field_error, field_rows
from agnews_ui.jobs_view import render_job
from agnews_ui.resources import job_manager
from agnews_ui.state import flash, poll_while, show_flash
from agnews_ui.sweep_data_choice import with_registered_data

page_registry.ensure_app_navigation(__file__)

ERRORS_KEY = "sweep_form_errors"
QUEUED, CHECKED = "sweep_queued", "sweep_cluster_check"  # flash slots
JOBS_SHOWN = 10
# Which fields sit side by side; a sweep field missing here still gets a row of its own.
LAYOUT = (("learning_rates",), ("model", "data"), ("train_size", "eval_size", "test_size"),
          ("epochs", "batch_size", "seed", "keep_models"), ("corrections", "verdict_policy"), ("label",))
# Range search, early stopping and where the sweep runs: folded away until wanted.
MORE_LAYOUT = (("lr_range", "range_trials"), ("executor", "ray_address", "ray_local_cpus"),
               ("cpus_per_trial", "gpus_per_trial", "ray_storage"), ("early_stopping", "grace_evals"))
MORE = {name for row in MORE_LAYOUT for name in row}

st.title("Sweep")
manager = job_manager()
problem = manager.store.root_problem()
if problem and manager.store.root.exists():
    st.error(problem)

errors: dict[str, str] = st.session_state.get(ERRORS_KEY, {})

with st.form("new-sweep"):
    st.subheader("New sweep")
    fields = with_registered_data(exposed_fields(), manager.store.root)
    typed = field_rows(tuple(f for f in fields if f.name not in MORE), LAYOUT, errors)
    with st.expander("Range search, early stopping and Ray", expanded=bool(MORE & set(errors)),
                     icon=":material/hub:"):
        typed |= field_rows(tuple(f for f in fields if f.name in MORE), MORE_LAYOUT, errors)
        if not ray_available():
            st.caption(f"{INSTALL_HINT}. Without it sweeps run on this machine; early stopping needs Ray.")
        check_clicked = st.form_submit_button("Check cluster", icon=":material/lan:")
    field_error(errors, FORM)
    estimate_clicked = st.form_submit_button("Update estimate", icon=":material/timer:")
    may_start = allowed(Action.RUN_SWEEP)
    start_clicked = st.form_submit_button("Start sweep", type="primary", icon=":material/play_arrow:",
                                          disabled=not may_start)
    if not may_start:
        st.caption(why_not(Action.RUN_SWEEP))

# Validating reads the chosen data and makes its splits (seconds on a first visit, sklearn's import included): only
# Update estimate and Start sweep wait for it here; otherwise the jobs list is drawn first and this slot after it.
below_form = st.container()
result = validate_request(typed, manager.store.root) if estimate_clicked or start_clicked else None
if check_clicked:
    try:
        cpus = int(typed.get("ray_local_cpus") or 0) or None
        flash(CHECKED, f"Ray at {typed['ray_address']}: {check_cluster(str(typed['ray_address']), cpus).describe()}",
              icon=":material/lan:")
    except ClusterError as exc:
        flash(CHECKED, str(exc), "error", icon=":material/lan:")
if result is not None:
    if start_clicked and result.config is not None:
        try:
            sweep = manager.submit(result.config, actor())
            flash(QUEUED, f"Sweep {sweep.sweep_id} queued: about {format_duration(sweep.estimate_seconds)}. "
                          "Follow it below.")
        except AccessRefused as refused:  # the role changed since the form was drawn: nothing was written
            result.errors[FORM] = str(refused)
        except ClusterError as exc:  # Ray missing or the cluster unreachable: nothing was written
            result.errors["ray_address"] = str(exc)
        except OSError as exc:
            result.errors[FORM] = (f"The sweep could not be saved in {manager.store.root.resolve()}: "
                                   f"{exc.strerror or exc}. Fix the artifacts folder and try again.")
    st.session_state[ERRORS_KEY] = result.errors
    if result.errors != errors:
        st.rerun()  # the form above is already drawn: run again to show each message next to its field


def settings_feedback(request: SweepRequest) -> None:
    """Under the form: how long these settings would take, or that fields need fixing; then the buttons' messages."""
    if request.config is not None:
        seconds = manager.estimate_seconds(request.config)
        runs = len(request.config.learning_rates)
        st.caption(f"Estimated time for these settings: about {format_duration(seconds)} "
                   f"({runs} run{'s' if runs > 1 else ''}; {request.data_note})"
                   + ("; on Ray, trials run side by side as resources allow and can take less."
                      if request.config.executor == "ray" else "."))
        if request.config.corrections == Corrections.APPLY:
            policy = request.config.verdict_policy
            kept = "" if policy == "latest" else f" that the {policy} policy keeps"
            st.caption(f"Label corrections: {recorded_verdicts(manager.store.root, request.config.data, policy):,} "
                       f"verdict(s) recorded for this data{kept}; those on its training and validation rows will be "
                       "applied.")
    elif errors:
        st.error("Fix the fields marked above, then start the sweep.")
    show_flash(CHECKED)
    show_flash(QUEUED)


st.subheader("Jobs")


def job_list() -> None:
    """Every job, newest first."""
    show_all = st.session_state.get("show_all_jobs", False)
    views, broken = manager.jobs(runs_for=None if show_all else JOBS_SHOWN)
    for entry in broken:
        st.warning(f"Unreadable sweep folder {entry.path}: {entry.problem}", icon=":material/report:")
    if not views:
        st.info("No sweeps yet: fill in the form above and press Start sweep.")
    show_all = len(views) > JOBS_SHOWN and st.toggle(f"Show all {len(views)} sweeps", key="show_all_jobs")
    for view in views if show_all else views[:JOBS_SHOWN]:
        render_job(manager, view, show_curves=view.sweep.status == SweepState.RUNNING)


poll_while(manager.is_busy, job_list)
with below_form:
    settings_feedback(result if result is not None else validate_request(typed, manager.store.root))
