"""Predict's pieces: one model's answer as a column, and the offer to train the quick demo model."""

from __future__ import annotations

from typing import Any

import streamlit as st

from agnews_core.access.guard import AccessRefused
from agnews_core.access.roles import Action
from agnews_core.config.sweep_config import format_lr
from agnews_core.sweeps.progress import format_duration
from agnews_core.sweeps.quick_demo import QUICK_DEMO_NAME, active_quick_demo, quick_demo_config
from agnews_ui import page_registry
from agnews_ui.auth import actor, allowed, why_not
from agnews_ui.charts import probability_figure
from agnews_ui.format import pct, progress_text
from agnews_ui.state import flash, poll_while, show_flash

QUICK_DEMO_BUTTON = "Train a quick demo model"
QUICK_DEMO_REFUSED = "quick-demo-refused"


def show_answer(title: str, caption: str, result: Any, chart_key: str) -> None:
    """A model's name, label, confidence, latency and probability chart, in the current container."""
    st.subheader(title, divider="gray")
    st.caption(caption)
    left, middle, right = st.columns(3)
    left.metric("Label", result.label)
    middle.metric("Confidence", pct(result.confidence))
    right.metric("Latency", f"{result.latency_ms:.1f} ms",
                 help="Preparing the text and one prediction on this machine's CPU, model already loaded.")
    st.plotly_chart(probability_figure(result.probabilities, result.label_id, result.names), key=chart_key)


DEMO_DATA_KEY = "predict_demo_data"
SAMPLE_LABEL = "AG News (bundled sample)"


def pick_demo_data(store: Any, ref: Any) -> str:
    """The data set the TF-IDF demo, the sample texts and the quick demo use: the bundled sample or a registered
    data set version; it follows the chosen model's data set (so both answer with the same labels)."""
    from agnews_core.data.registry import DatasetRegistry

    options = ["sample", *(m.id for m in DatasetRegistry(store.root).latest())]
    model_data = ""
    if ref is not None:
        try:
            model_data = store.load_sweep(ref.sweep_id).dataset_id
        except (OSError, ValueError):
            model_data = ""
    if model_data and model_data not in options:
        options.append(model_data)
    if st.session_state.get("predict_demo_model") != (ref, model_data):  # a new model: follow its data set
        st.session_state["predict_demo_model"] = (ref, model_data)
        st.session_state[DEMO_DATA_KEY] = model_data or "sample"
    if st.session_state.get(DEMO_DATA_KEY) not in options:
        st.session_state[DEMO_DATA_KEY] = "sample"
    return st.selectbox("Data set", options, key=DEMO_DATA_KEY,
                        format_func=lambda o: SAMPLE_LABEL if o == "sample" else f"data set {o}",
                        help="The TF-IDF demo is fitted on this data set's training rows, the sample texts come from "
                             "its test rows, and the quick demo model trains on it.")


def quick_demo_offer(data: str = "sample") -> None:
    """With no fine-tuned model: the quick demo's state if one is queued or running, else a button that queues it."""
    from agnews_ui.resources import job_manager

    manager = job_manager()
    if active_quick_demo(manager.jobs(runs_for=1)[0]) is not None:
        poll_while(lambda: active_quick_demo(manager.jobs(runs_for=1)[0]) is not None, _quick_demo_line, every=3)
        page_registry.link(page_registry.SWEEP, "Watch it on the Sweep page")
        return
    from agnews_core.data.sources import DataError, available_sizes, load_source

    try:
        config = quick_demo_config(data, None if data == "sample" else available_sizes(load_source(data, manager.store.root)))
    except (DataError, ValueError) as exc:
        st.warning(f"The quick demo cannot train on {data}: {exc}")
        return
    seconds = manager.estimate_seconds(config)
    where = "the bundled sample" if data == "sample" else f"data set {data}"
    st.info("No fine-tuned model yet: answers come from the TF-IDF demo. Fine-tune MiniLM on "
            f"{config.train_size:,} rows of {where} (lr {format_lr(config.learning_rates[0])}, one epoch): "
            f"about {format_duration(seconds)} on this machine, then it answers here beside TF-IDF.",
            icon=":material/info:")
    may_train = allowed(Action.QUICK_DEMO)
    st.button(QUICK_DEMO_BUTTON, icon=":material/rocket_launch:", on_click=_start_quick_demo, args=(manager, config),
              disabled=not may_train)
    if not may_train:
        st.caption(why_not(Action.QUICK_DEMO))
    show_flash(QUICK_DEMO_REFUSED)


def _start_quick_demo(manager: Any, config: Any) -> None:
    try:
        manager.submit(config, actor())
    except AccessRefused as refused:  # the role changed since the button was drawn
        flash(QUICK_DEMO_REFUSED, str(refused), "error")


def _quick_demo_line() -> None:
    """The quick demo's progress (polled; the whole page runs again once it ends: it becomes the default)."""
    from agnews_ui.resources import job_manager

    job = active_quick_demo(job_manager().jobs(runs_for=1)[0])
    if job is None:
        return
    line = progress_text(job.progress) if job.progress else f"The {QUICK_DEMO_NAME} is {job.sweep.status}."
    st.info(f"{line} It becomes the default model here when it is done.", icon=":material/model_training:")
