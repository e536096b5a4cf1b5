"""Sweep: a form that launches a learning-rate sweep, and the live list of every job."""

import streamlit as st

from agnews_core.config import DEFAULT_LEARNING_RATES, SweepConfig, format_lr
from agnews_core.progress import format_duration
from agnews_core.states import SweepState
from agnews_ui import page_registry
from agnews_ui.jobs_view import render_job
from agnews_ui.resources import job_manager
from agnews_ui.sweep_form import DATA_CHOICES, MODEL_CHOICES, FormValues, validate_form

page_registry.ensure_app_navigation(__file__)

ERRORS_KEY = "sweep_form_errors"
FLASH_KEY = "sweep_form_flash"
DEFAULTS = SweepConfig()
JOBS_SHOWN = 10

st.title("Sweep")
manager = job_manager()
problem = manager.store.root_problem()
if problem and manager.store.root.exists():
    st.error(problem)

errors: dict[str, str] = st.session_state.get(ERRORS_KEY, {})


def field_error(name: str) -> None:
    """Show the message for one field right under it."""
    if name in errors:
        st.error(errors[name], icon=":material/error:")


with st.form("new-sweep"):
    st.subheader("New sweep")
    lrs = st.text_input("Learning rates", ", ".join(format_lr(x) for x in DEFAULT_LEARNING_RATES),
                        help="Comma-separated, each > 0 and <= 1; one fresh model is fine-tuned per rate.")
    field_error("learning_rates")
    model_col, data_col = st.columns(2)
    with model_col:
        model_choice = st.selectbox("Model", MODEL_CHOICES, format_func={
            "minilm": "MiniLM-L6 (pretrained, works offline)", "tiny": "tiny BERT (seconds, smoke tests)",
            "other": "other: Hub id or folder"}.get)
        other_model = st.text_input("Other model", placeholder="distilbert-base-uncased or /path/to/model",
                                    help="Used when Model is 'other'.")
        field_error("model")
    with data_col:
        data_choice = st.selectbox("Data", DATA_CHOICES, format_func={
            "auto": "auto (the Hub if it answers, else the sample)", "sample": "bundled AG News sample",
            "hub": "Hugging Face Hub ag_news", "folder": "a folder of parquet/CSV"}.get)
        data_folder = st.text_input("Data folder", placeholder="/path/with/train.parquet and test.parquet",
                                    help="Used when Data is 'folder'.")
        field_error("data")
    sizes = st.columns(3)
    with sizes[0]:
        train_size = st.number_input("Train rows", 1, 200_000, DEFAULTS.train_size, step=500)
        field_error("train_size")
    with sizes[1]:
        eval_size = st.number_input("Validation rows", 1, 100_000, DEFAULTS.eval_size, step=100,
                                    help="Eval loss on these rows picks the best learning rate.")
        field_error("eval_size")
    with sizes[2]:
        test_size = st.number_input("Test rows", 1, 100_000, DEFAULTS.test_size, step=100,
                                    help="Rows of the untouched test split for the final accuracy.")
        field_error("test_size")
    knobs = st.columns(4)
    epochs = knobs[0].number_input("Epochs", 0.05, 20.0, float(DEFAULTS.epochs), step=0.5)
    batch_size = knobs[1].number_input("Batch size", 1, 1024, DEFAULTS.batch_size)
    seed = knobs[2].number_input("Seed", 0, 2**31 - 1, DEFAULTS.seed)
    keep = knobs[3].selectbox("Keep weights of", ("best", "all", "none"),
                              help="Each MiniLM copy is about 90 MB; 'best' keeps only the best run's.")
    name = st.text_input("Name (optional)", max_chars=200)
    field_error("form")
    estimate_clicked = st.form_submit_button("Update estimate", icon=":material/timer:")
    start_clicked = st.form_submit_button("Start sweep", type="primary", icon=":material/play_arrow:")

values = FormValues(lrs, model_choice, other_model, data_choice, data_folder, int(train_size), int(eval_size),
                    int(test_size), float(epochs), int(batch_size), int(seed), keep, name)
result = validate_form(values)
if estimate_clicked or start_clicked:
    if start_clicked and result.config is not None:
        try:
            sweep = manager.submit(result.config)
            st.session_state[FLASH_KEY] = (f"Sweep {sweep.sweep_id} queued: about "
                                           f"{format_duration(sweep.estimate_seconds)}. Follow it below.")
        except OSError as exc:
            result.errors["form"] = (f"The sweep could not be saved in {manager.store.root.resolve()}: "
                                     f"{exc.strerror or exc}. Fix the artifacts folder and try again.")
    st.session_state[ERRORS_KEY] = result.errors
    if result.errors != errors or (start_clicked and result.config is not None):
        st.rerun()  # draw each message next to its field, and the new job in the list
if result.config is not None:
    seconds = manager.estimate_seconds(result.config)
    st.caption(f"Estimated time for these settings: about {format_duration(seconds)} "
               f"({len(result.config.learning_rates)} run{'s' if len(result.config.learning_rates) > 1 else ''}; "
               f"{result.data_note}).")
elif errors:
    st.error("Fix the fields marked above, then start the sweep.")
if FLASH_KEY in st.session_state:
    st.success(st.session_state.pop(FLASH_KEY), icon=":material/check:")

st.subheader("Jobs")


@st.fragment(run_every=2 if manager.is_busy() else None)
def job_list() -> None:
    """Every job, newest first; refreshes itself while something runs."""
    show_all = st.session_state.get("show_all_jobs", False)
    views, broken = manager.jobs(runs_for=None if show_all else JOBS_SHOWN)
    for entry in broken:
        st.warning(f"Unreadable sweep folder {entry.path}: {entry.problem}", icon=":material/report:")
    if not views:
        st.info("No sweeps yet: fill in the form above and press Start sweep.")
    show_all = len(views) > JOBS_SHOWN and st.toggle(f"Show all {len(views)} sweeps", key="show_all_jobs")
    for view in views if show_all else views[:JOBS_SHOWN]:
        render_job(manager, view, show_curves=view.sweep.status == SweepState.RUNNING)
    if st.session_state.get("was_busy") and not manager.is_busy():
        st.session_state["was_busy"] = False
        st.rerun()  # stop polling once the last job ends
    st.session_state["was_busy"] = manager.is_busy()


job_list()
