"""Accuracy: baseline vs fine-tuned, per-class metrics, and the confusion matrix as a doorway to errors."""

import pandas as pd
import streamlit as st

from agnews_core.baselines import TFIDF, UNTRAINED
from agnews_core.labels import LABEL2ID, LABELS
from agnews_core.metrics import top_confusions
from agnews_ui.boot import ensure_app_navigation
from agnews_ui.charts import accuracy_figure, confusion_figure, lr_colour
from agnews_ui.format import pct
from agnews_ui.pickers import pick_sweep_and_finished_run
from agnews_ui.resources import store as get_store

ensure_app_navigation(__file__)

ERRORS_PAGE = "pages/errors.py"

st.title("Accuracy")
store = get_store()
sweep, runs, run = pick_sweep_and_finished_run(store, "accuracy figures")


def open_errors(true_id: int | None, predicted_id: int | None) -> None:
    """Go to the Errors page filtered to one (true, predicted) pair."""
    params = {"sweep": sweep.sweep_id, "run": run.run_id}
    if true_id is not None:
        params["true"] = str(true_id)
    if predicted_id is not None:
        params["pred"] = str(predicted_id)
    st.switch_page(ERRORS_PAGE, query_params=params)


test = run.test
untrained, tfidf = sweep.baselines.get(UNTRAINED), sweep.baselines.get(TFIDF)
st.subheader(f"Baseline vs fine-tuned (lr {run.lr_label}), {test.count:,} test rows")
numbers = st.columns(3)
numbers[0].metric("Untrained model", pct(untrained.accuracy) if untrained else "–")
numbers[1].metric("TF-IDF + logistic regression", pct(tfidf.accuracy) if tfidf else "–")
gain = (test.accuracy - untrained.accuracy) * 100 if untrained else 0.0
numbers[2].metric(f"Fine-tuned, lr {run.lr_label}", pct(test.accuracy),
                  delta=f"{gain:+.1f} points vs untrained" if abs(gain) >= 0.05 else None)
names, values, colours = [], [], []
for name, metrics, colour in ((UNTRAINED, untrained, "#9e9e9e"), (TFIDF, tfidf, "#607d8b")):
    if metrics is not None:
        names.append(name)
        values.append(metrics.accuracy)
        colours.append(colour)
for other in runs:
    if other.test is not None:
        names.append(f"fine-tuned lr {other.lr_label}" + (" (best)" if other.run_id == sweep.best_run_id else ""))
        values.append(other.test.accuracy)
        colours.append(lr_colour(other.index))
st.plotly_chart(accuracy_figure(names, values, colours), key="accuracy-bars")

st.subheader("Per class")
per_class = pd.DataFrame([{"label": c.label, "precision": pct(c.precision), "recall": pct(c.recall), "F1": pct(c.f1),
                           "support": c.support, "errors": c.support - test.confusion[i][i]}
                          for i, c in enumerate(test.per_class)])
st.dataframe(per_class, hide_index=True, width="stretch")
st.caption(f"Macro-F1 {pct(test.macro_f1)} · accuracy {pct(test.accuracy)}. Open a label's errors:")
links = st.columns(len(LABELS))
for i, name in enumerate(LABELS):
    links[i].page_link(ERRORS_PAGE, label=f"{name} errors", icon=":material/rule:",
                       query_params={"sweep": sweep.sweep_id, "run": run.run_id, "true": str(i)})

st.subheader(f"Confusion matrix, lr {run.lr_label}")
matrix_col, side_col = st.columns([3, 2])
with matrix_col:
    event = st.plotly_chart(confusion_figure(test.confusion, f"Test rows, lr {run.lr_label}: click a cell"),
                            key=f"confusion-{sweep.sweep_id}-{run.run_id}", on_select="rerun", selection_mode="points")
    points = (event.selection or {}).get("points", []) if event else []
    if points:
        point = points[0]
        open_errors(LABEL2ID[point["y"]], LABEL2ID[point["x"]])
    st.caption("Rows are true labels, columns predictions; each cell shows the count and the share of its row. "
               "The diagonal (correct) is left pale so the errors stand out.")
with side_col:
    st.markdown("**Most frequent confusions**")
    pairs = top_confusions(test.confusion, limit=5)
    if not pairs:
        st.write("No errors on these test rows.")
    for true_id, predicted_id, count in pairs:
        st.page_link(ERRORS_PAGE, label=f"{LABELS[true_id]} → {LABELS[predicted_id]}: {count}", icon=":material/arrow_forward:",
                     query_params={"sweep": sweep.sweep_id, "run": run.run_id, "true": str(true_id), "pred": str(predicted_id)})
    st.markdown("**Open any cell**")
    true_name = st.selectbox("True label", LABELS, key="cell-true")
    predicted_name = st.selectbox("Predicted label", LABELS, index=1, key="cell-pred")
    if st.button("Show these examples", icon=":material/rule:"):
        open_errors(LABEL2ID[true_name], LABEL2ID[predicted_name])
