"""Accuracy: baseline vs fine-tuned, per-class metrics, and the confusion matrix as a doorway to errors."""

import pandas as pd
import streamlit as st

from agnews_core.analysis.confusions import MANY_CLASSES, confused_order, most_confused_pairs
from agnews_core.analysis.run_table import accuracy_bars, gain_points
from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.modeling.metrics import top_confusions
from agnews_ui import page_registry
from agnews_ui.accuracy_review import corrected_test_metric, suspects_section
from agnews_ui.calibration_view import calibration_section
from agnews_ui.charts import accuracy_bars_figure, confusion_figure
from agnews_ui.errors_filters import errors_query
from agnews_ui.format import pct
from agnews_ui.label_links import label_links
from agnews_ui.page_registry import ERRORS
from agnews_ui.pickers import pick_sweep_and_finished_run
from agnews_ui.resources import store as get_store
from agnews_ui.tables import per_class_frame

page_registry.ensure_app_navigation(__file__)

st.title("Accuracy")
store = get_store()
sweep, runs, run = pick_sweep_and_finished_run(store, "accuracy figures")
names = sweep.labels.names


test = run.test
untrained, tfidf = sweep.baselines.get(UNTRAINED), sweep.baselines.get(TFIDF)
st.subheader(f"Baseline vs fine-tuned (lr {run.lr_label}), {test.count:,} test rows")
numbers = st.columns(4)
numbers[0].metric("Untrained model", pct(untrained.accuracy) if untrained else "–")
numbers[1].metric("TF-IDF + logistic regression", pct(tfidf.accuracy) if tfidf else "–")
gain = gain_points(sweep, run, UNTRAINED)
numbers[2].metric(f"Fine-tuned, lr {run.lr_label}", pct(test.accuracy),
                  delta=f"{gain:+.1f} points vs untrained" if gain else None)
with numbers[3]:
    corrected_test_metric(store, sweep, run)
st.plotly_chart(accuracy_bars_figure(accuracy_bars(sweep, runs)), key="accuracy-bars")

st.subheader("Per class")
st.dataframe(per_class_frame(test), hide_index=True, width="stretch")
st.caption(f"Macro-F1 {pct(test.macro_f1)} · accuracy {pct(test.accuracy)}. Open a label's errors:")
label_links(names, lambda i, name: f"{name} errors", lambda i: errors_query(sweep.sweep_id, run.run_id, i),
            key="label-errors")

suspects_section(store, sweep, run)


def confusion_matrix() -> None:
    """The clickable matrix, confused classes side by side."""
    order = confused_order(test.confusion)
    event = st.plotly_chart(confusion_figure(test.confusion, f"Test rows, lr {run.lr_label}: click a cell", names, order),
                            key=f"confusion-{sweep.sweep_id}-{run.run_id}", on_select="rerun", selection_mode="points")
    points = (event.selection or {}).get("points", []) if event else []
    if points:
        point = points[0]
        ids = {name: i for i, name in enumerate(names)}
        page_registry.go_to(ERRORS, errors_query(sweep.sweep_id, run.run_id, ids[point["y"]], ids[point["x"]]))
    st.caption("Rows are true labels, columns predictions; each cell shows the count and the share of its row. "
               "The diagonal (correct) is left pale so the errors stand out"
               + ("; classes the model confuses sit side by side." if len(names) > 2 else "."))


def confused_pairs_table() -> None:
    """Pairs of classes by rows confused either way: the main view when there are many classes."""
    pairs = most_confused_pairs(test.confusion, limit=25)
    if not pairs:
        st.success("No errors on these test rows.")
        return
    st.dataframe(pd.DataFrame({
        "class A": [names[p.a] for p in pairs], "class B": [names[p.b] for p in pairs],
        "A predicted as B": [p.a_as_b for p in pairs], "B predicted as A": [p.b_as_a for p in pairs],
        "share of their rows": [p.share for p in pairs]}), hide_index=True, width="stretch",
        column_config={"share of their rows": st.column_config.ProgressColumn(format="percent", min_value=0,
                                                                              max_value=1)})


def open_any_cell() -> None:
    """Two searchable pickers and a button to the Errors page."""
    st.markdown("**Open any cell**")
    true_id = st.selectbox("True label", range(len(names)), format_func=names.__getitem__, key="cell-true")
    predicted_id = st.selectbox("Predicted label", range(len(names)), index=1, format_func=names.__getitem__,
                                key="cell-pred")
    if st.button("Show these examples", icon=":material/rule:"):
        page_registry.go_to(ERRORS, errors_query(sweep.sweep_id, run.run_id, true_id, predicted_id))


st.subheader(f"Confusion matrix, lr {run.lr_label}")
if len(names) > MANY_CLASSES:
    st.markdown(f"**Most confused pairs** of the {len(names)} classes")
    confused_pairs_table()
    open_any_cell()
    with st.expander(f"The whole {len(names)} × {len(names)} matrix"):
        confusion_matrix()
else:
    matrix_col, side_col = st.columns([3, 2])
    with matrix_col:
        confusion_matrix()
    with side_col:
        st.markdown("**Most frequent confusions**")
        pairs = top_confusions(test.confusion, limit=5)
        if not pairs:
            st.write("No errors on these test rows.")
        for true_id, predicted_id, count in pairs:
            page_registry.link(ERRORS, f"{names[true_id]} → {names[predicted_id]}: {count}", ":material/arrow_forward:",
                               errors_query(sweep.sweep_id, run.run_id, true_id, predicted_id))
        open_any_cell()

calibration_section(sweep.sweep_id, run.run_id, run.lr_label)
