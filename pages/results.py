"""Results: loss curves per learning rate, the results table sorted by eval loss, and the baselines."""

import streamlit as st

from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.states import SweepState
from agnews_core.sweeps.baseline_scores import reuse_note
from agnews_ui import page_registry
from agnews_ui.charts import loss_figure
from agnews_ui.final_training_view import render_final_training, render_pipeline_snippet
from agnews_ui.format import escape_markdown, executor_label, pct, sweep_kind
from agnews_ui.pickers import load_runs, pick_sweep, sweeps_or_first_steps
from agnews_ui.reproducibility import render_environment_card
from agnews_ui.resources import store as get_store
from agnews_ui.tables import results_frame, styled_results, visible_columns

page_registry.ensure_app_navigation(__file__)

st.title("Results")
store = get_store()
sweep = pick_sweep(sweeps_or_first_steps())
runs = load_runs(store, sweep)
config = sweep.config
where = executor_label(config)  # the one thing that tells a Ray sweep's results from a thread sweep's
st.caption(f"{sweep_kind(sweep)} · {sweep.status}{f' · {where}' if where else ''} · {sweep.model_description} · "
           f"{sweep.data_description or config.data} · train {config.train_size:,} rows, {config.epochs:g} epoch(s), "
           f"batch {config.batch_size}, seed {config.seed}")
if sweep.corrections is not None:
    st.caption(f"Label corrections: {sweep.corrections.describe()}; the test rows are the official ones.")
if sweep.error:
    (st.error if sweep.status == SweepState.FAILED else st.warning)(sweep.error)

x_axis = st.segmented_control("X axis", ["step", "epoch"], default="step", key="x_axis") or "step"
left, right = st.columns(2)
left.plotly_chart(loss_figure(runs, "train", x_axis), key="train-curves")
right.plotly_chart(loss_figure(runs, "eval", x_axis), key="eval-curves")

st.subheader("Runs, best by eval loss first")
st.caption("The best learning rate is the one with the lowest eval loss on the validation rows (the notebook's rule); "
           "accuracy is measured on the untouched test rows.")
table = results_frame(sweep, runs)
if not table.empty:
    st.dataframe(styled_results(table), hide_index=True, width="stretch", column_order=visible_columns(table))
if sweep.best_by_accuracy_run_id and sweep.best_by_accuracy_run_id != sweep.best_run_id:
    other = next((r for r in runs if r.run_id == sweep.best_by_accuracy_run_id), None)
    if other is not None:
        st.info(f"Best by validation accuracy differs: lr {other.lr_label} ({pct(other.validation.accuracy)}).",
                icon=":material/compare_arrows:")

st.subheader("Baselines on the same test rows")
tfidf, untrained = sweep.baselines.get(TFIDF), sweep.baselines.get(UNTRAINED)
cols = st.columns(2)
cols[0].metric("Untrained model", pct(untrained.accuracy) if untrained else "–",
               help="The model before fine-tuning, with a random classification head (the notebook's baseline).")
cols[1].metric("TF-IDF + logistic regression", pct(tfidf.accuracy) if tfidf else "–",
               help="Word and bigram TF-IDF with logistic regression, trained on the same training rows.")
if sweep.baselines_reused:
    st.caption(f"{reuse_note(sweep.baselines_reused)} (same model, rows, seed and settings).")
if sweep.config.label:
    st.caption(f"Sweep name: {escape_markdown(sweep.config.label)}")
if sweep.best_run_id:
    page_registry.link(page_registry.ACCURACY, "Accuracy and confusion matrix of the best run",
                       query_params={"sweep": sweep.sweep_id, "run": sweep.best_run_id})
render_pipeline_snippet(sweep, runs)
render_final_training(sweep)
render_environment_card(sweep)
