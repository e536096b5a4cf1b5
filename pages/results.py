"""Results: loss curves per learning rate, the results table sorted by eval loss, and the baselines."""

import pandas as pd
import streamlit as st

from agnews_core.baselines import TFIDF, UNTRAINED
from agnews_core.states import SweepState
from agnews_ui.boot import ensure_app_navigation
from agnews_ui.charts import loss_figure, lr_colour
from agnews_ui.format import escape_markdown, pct
from agnews_ui.pickers import load_runs, pick_sweep, show_store_problems
from agnews_ui.resources import store as get_store

ensure_app_navigation(__file__)

st.title("Results")
store = get_store()
sweeps = show_store_problems(store)
if not sweeps:
    st.info("No runs yet: start a sweep on the Sweep page.", icon=":material/info:")
    st.page_link("pages/sweep.py", label="Go to Sweep", icon=":material/tune:")
    st.stop()

sweep = pick_sweep(sweeps)
runs = load_runs(store, sweep)
config = sweep.config
st.caption(f"{sweep.status} · {sweep.model_description} · {sweep.data_description or config.data} · "
           f"train {config.train_size:,} rows, {config.epochs:g} epoch(s), batch {config.batch_size}, seed {config.seed}")
if sweep.error:
    (st.error if sweep.status == SweepState.FAILED else st.warning)(sweep.error)

x_axis = st.segmented_control("X axis", ["step", "epoch"], default="step", key="x_axis") or "step"
left, right = st.columns(2)
left.plotly_chart(loss_figure(runs, "train", x_axis), key="train-curves")
right.plotly_chart(loss_figure(runs, "eval", x_axis), key="eval-curves")

st.subheader("Runs, best by eval loss first")
st.caption("The best learning rate is the one with the lowest eval loss on the validation rows (the notebook's rule); "
           "accuracy is measured on the untouched test rows.")
tfidf = sweep.baselines.get(TFIDF)
untrained = sweep.baselines.get(UNTRAINED)
rows = []
for run in sorted(runs, key=lambda r: (r.final_eval_loss is None, r.final_eval_loss or 0.0, r.index)):
    test_acc = run.test.accuracy if run.test else None
    rows.append({
        "": "★ best" if run.run_id == sweep.best_run_id else "",
        "lr": run.lr_label,
        "state": run.status,
        "eval loss": run.final_eval_loss,
        "val accuracy": pct(run.validation.accuracy) if run.validation else "",
        "test accuracy": pct(test_acc),
        "test macro-F1": pct(run.test.macro_f1) if run.test else "",
        "vs TF-IDF (points)": round((test_acc - tfidf.accuracy) * 100, 1) if test_acc is not None and tfidf else None,
        "vs untrained (points)": round((test_acc - untrained.accuracy) * 100, 1) if test_acc is not None and untrained else None,
        "train ex/s": round(run.train_examples_per_second, 1) or None,
        "note": run.error,
        "_index": run.index,
        "_best": run.run_id == sweep.best_run_id,
    })
table = pd.DataFrame(rows)
if not table.empty:
    def style_row(row: pd.Series) -> list[str]:
        best = "background-color: rgba(44, 160, 44, 0.15); font-weight: 600" if row["_best"] else ""
        colour = f"color: {lr_colour(int(row['_index']))}; font-weight: 600"
        return [f"{best}; {colour}" if col == "lr" and best else colour if col == "lr" else best for col in row.index]

    # A Styler shows every float with six decimals unless told otherwise.
    styled = table.style.apply(style_row, axis=1).format(
        {"eval loss": "{:.4f}", "vs TF-IDF (points)": "{:+.1f}", "vs untrained (points)": "{:+.1f}", "train ex/s": "{:.1f}"},
        na_rep="–")
    st.dataframe(styled, hide_index=True, width="stretch", column_order=[c for c in table.columns if not c.startswith("_")])
if sweep.best_by_accuracy_run_id and sweep.best_by_accuracy_run_id != sweep.best_run_id:
    other = next((r for r in runs if r.run_id == sweep.best_by_accuracy_run_id), None)
    if other is not None:
        st.info(f"Best by validation accuracy differs: lr {other.lr_label} ({pct(other.validation.accuracy)}).",
                icon=":material/compare_arrows:")

st.subheader("Baselines on the same test rows")
cols = st.columns(2)
cols[0].metric("Untrained model", pct(untrained.accuracy) if untrained else "–",
               help="The model before fine-tuning, with a random classification head (the notebook's baseline).")
cols[1].metric("TF-IDF + logistic regression", pct(tfidf.accuracy) if tfidf else "–",
               help="Word and bigram TF-IDF with logistic regression, trained on the same training rows.")
if sweep.config.label:
    st.caption(f"Sweep name: {escape_markdown(sweep.config.label)}")
if sweep.best_run_id:
    st.page_link("pages/accuracy.py", label="Accuracy and confusion matrix of the best run", icon=":material/grid_on:",
                 query_params={"sweep": sweep.sweep_id, "run": sweep.best_run_id})
