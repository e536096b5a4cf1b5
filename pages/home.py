"""Home: what each page does, where artifacts live, and what is running."""

import streamlit as st

from agnews_ui import page_registry
from agnews_ui.format import sweep_title
from agnews_ui.resources import job_manager

page_registry.ensure_app_navigation(__file__)

st.title("AG News Lab")
st.write(
    "Fine-tune a transformer text classifier on **AG News** (World, Sports, Business, Sci/Tech) or on **your own "
    "labelled texts** (any labels: add them on the Data page), sweep learning rates, compare runs and review the "
    "model's mistakes and the data's wrong labels."
)

manager = job_manager()
store = manager.store
views, broken = manager.jobs(runs_for=0)  # counts and states only
active = [v for v in views if v.sweep.status.is_active]
finished = [v for v in views if v.sweep.best_run_id]

left, middle, right = st.columns(3)
left.metric("Sweeps", len(views))
middle.metric("Running or queued", len(active))
right.metric("Sweeps with a best run", len(finished))

if not views:
    st.info("No runs yet: start a sweep on the Sweep page.", icon=":material/info:")
    page_registry.link(page_registry.SWEEP, "Start a sweep")
for view in active:
    st.info(f"{view.sweep.status.capitalize()}: {sweep_title(view.sweep)}", icon=":material/progress_activity:")

st.subheader("Pages")
for page in page_registry.PAGES:
    if page is page_registry.HOME:
        continue
    link_column, text_column = st.columns([1, 4])
    with link_column:
        page_registry.link(page)
    text_column.write(page.description)

st.subheader("Artifacts")
st.write("Everything a sweep produces (configs, curves, metrics, predictions, model weights) is kept in:")
st.code(str(store.root.resolve()), language=None)
problem = store.root_problem()
if problem:  # a folder that does not exist yet is the normal first start, not a problem
    (st.warning if store.root.exists() else st.caption)(problem[:1].upper() + problem[1:] + ".")
for entry in broken:
    st.warning(f"Unreadable sweep folder {entry.path}: {entry.problem}", icon=":material/report:")
if manager.recovered:
    st.warning(f"{len(manager.recovered)} sweep(s) were interrupted when the server last stopped; their finished "
               "runs are kept.", icon=":material/report:")
