"""Map: a run's test and validation rows laid out by what its model sees; select rows, read the error slices."""

import pandas as pd
import streamlit as st

from agnews_core.analysis.comparable_runs import comparable_runs, load_run_predictions
from agnews_core.analysis.error_map import MapUnavailable
from agnews_core.analysis.error_slices import slice_table
from agnews_core.analysis.run_comparison import format_p
from agnews_core.analysis.slice_comparison import compare_slices, difference_table
from agnews_core.review.label_review import sweep_source
from agnews_core.review.verdicts import VerdictStore
from agnews_core.store.artifact_store import ArtifactError
from agnews_ui import label_review_view as review_view
from agnews_ui import map_view, page_registry
from agnews_ui.map_rows import SLICE_PARAM, choose_selection, run_map, run_slices
from agnews_ui.pickers import pick_sweep_and_finished_run
from agnews_ui.resources import store as get_store

page_registry.ensure_app_navigation(__file__)
SELECTION_ROWS = 200  # rows the selection table lists; the Errors page pages through all of them


def suspects_of(rows: pd.DataFrame) -> pd.Series | None:
    """Each map row's suspect flag from the run's label review (matched by split and place in it), if it has one."""
    review = review_view.run_review(store, sweep, run.run_id)
    if review is None:
        return None
    scored = review.rows[review.rows["split"].isin(rows["split"].unique())]
    flags = {(s, i): bool(f) for s, i, f in zip(scored["split"], scored.groupby("split").cumcount(), scored["suspected"],
                                                strict=True)}
    places = zip(rows["split"], rows.groupby("split").cumcount(), strict=True)
    return pd.Series([flags.get(place, False) for place in places], index=rows.index)


st.title("Map")
store = get_store()
sweep, runs, run = pick_sweep_and_finished_run(store, "map")
labels = sweep.labels
try:
    with st.spinner("Laying out this run's rows (once per run; under 20 s for 7,600 rows)…"):
        rows = run_map(sweep, run.run_id)
except MapUnavailable as exc:
    st.info(f"No map for lr {run.lr_label}: {exc}.", icon=":material/info:")
    st.stop()
except ArtifactError as exc:
    st.error(f"The map of this run cannot be made: {exc}")
    st.stop()

errors = int((~rows["correct"]).sum())
st.caption(f"{len(rows):,} test and validation rows of lr {run.lr_label}, placed by t-SNE from what the model's "
           f"classification head reads: texts the model sees alike sit together. {errors:,} are misclassified. "
           "Draw a box or lasso to list rows.")
colouring = st.segmented_control("Colour by", map_view.COLOURINGS, default="right or wrong", key="map_colour") \
    or "right or wrong"
suspected = suspects_of(rows) if colouring == "suspect" else None
verdicts = VerdictStore(store.root, sweep_source(sweep)).verdicts() if colouring == "verdict" else None
values = map_view.colour_values(rows, colouring, labels, suspected, verdicts)
order = map_view.category_order(values, colouring, labels)
event = st.plotly_chart(map_view.map_figure(rows, values, order, labels), on_select="rerun",
                        selection_mode=("box", "lasso"), key=f"map-{sweep.sweep_id}-{run.run_id}",
                        config={"displaylogo": False})

positions = map_view.selected_positions(event)
if positions:
    chosen = rows.iloc[positions]
    wrong = int((~chosen["correct"]).sum())
    st.markdown(f"**{len(chosen):,} rows selected**, {wrong:,} misclassified")
    st.dataframe(map_view.selection_table(chosen.head(SELECTION_ROWS), labels), hide_index=True, width="stretch",
                 column_config={"text": st.column_config.TextColumn("text", width="large"),
                                "confidence": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0,
                                                                              format="percent")})
    if len(chosen) > SELECTION_ROWS:
        st.caption(f"The first {SELECTION_ROWS} of {len(chosen):,}; Errors lists them all.")
    if st.button("Open these rows in Errors", icon=":material/rule:", on_click=choose_selection,
                 args=(sweep.sweep_id, run.run_id, chosen["text_key"].tolist())):
        page_registry.go_to(page_registry.ERRORS, {"sweep": sweep.sweep_id, "run": run.run_id,
                                                   **({"split": "validation"} if (chosen["split"] == "validation")
                                                      .all() else {})})

st.subheader("Error slices")
slices = run_slices(sweep, run.run_id)
if not slices:
    st.info("The misclassified rows of this run form no cluster on the map: no slices.", icon=":material/info:")
    st.stop()
st.caption("Clusters of misclassified rows on the map (HDBSCAN), named by the words that set their texts apart "
           "(TF-IDF against every other row) and their most common label pair. Error rate: misclassified rows "
           "among the 10 nearest rows on the map of each of the slice's errors.")
table = slice_table(slices, labels)
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"pair share": st.column_config.NumberColumn(format="percent"),
                            "error rate": st.column_config.NumberColumn(format="percent")})
with st.container(horizontal=True):
    for found in slices[:12]:
        page_registry.link(page_registry.ERRORS, f"Slice {found.number}: {found.name}", ":material/rule:",
                           {"sweep": sweep.sweep_id, "run": run.run_id, SLICE_PARAM: str(found.number)})

st.subheader("Compare with another run, slice by slice")
same_data = {s.sweep_id for s in store.list_sweeps()[0] if (s.dataset_id or sweep_source(s)) ==
             (sweep.dataset_id or sweep_source(sweep))}
choices = [c for c in comparable_runs(store) if c.sweep_id in same_data and c.key != f"{sweep.sweep_id}/{run.run_id}"]
if not choices:
    st.info("No other finished run on the same data yet.", icon=":material/info:")
    st.stop()
other = st.selectbox("Run B", choices, format_func=lambda c: c.label, key="map_compare_b")
try:
    differences = compare_slices(rows, slices, load_run_predictions(store, other.sweep_id, other.run_id))
except (ArtifactError, ValueError) as exc:
    st.warning(f"These runs cannot be compared slice by slice: {exc}")
    st.stop()
st.caption(f"A is lr {run.lr_label}, whose errors made the slices, so A starts behind on them: a gain of B is "
           "partly that; a loss of B is a regression. McNemar's exact test per slice, Holm-corrected across "
           f"{len(differences)} slices (differs: p (Holm) < 0.05).")
shown = difference_table(differences)
shown.insert(1, "name", [s.name for s in slices if s.number in set(shown["slice"])])
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"accuracy A": st.column_config.NumberColumn(format="percent"),
                            "accuracy B": st.column_config.NumberColumn(format="percent"),
                            "p (McNemar)": st.column_config.NumberColumn(format="%.3g"),
                            "p (Holm)": st.column_config.NumberColumn(format="%.3g")})
best = min(differences, key=lambda d: d.p_holm)
if best.significant:
    st.markdown(f"Clearest difference: slice {best.slice_number}, A {best.accuracy_a:.1%} vs B "
                f"{best.accuracy_b:.1%} on {best.rows:,} rows ({format_p(best.p_holm)} after Holm).")
else:
    st.markdown(f"No slice differs beyond chance after Holm's correction (smallest: slice {best.slice_number}, "
                f"{format_p(best.p_holm)}).")
