"""Errors: misclassified examples of a run, filtered by label pair, searchable, sortable, paginated, exportable."""

import pandas as pd
import streamlit as st

from agnews_core.analysis.error_filters import ErrorFilter, filter_predictions, readable_table
from agnews_core.review.label_review import LabelReview, filter_review, sweep_source
from agnews_core.review.verdicts import VerdictStore
from agnews_core.store.artifact_store import ArtifactError
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_ui import crossfit_view, page_registry
from agnews_ui import label_review_view as review_view
from agnews_ui.attribution_view import why_this_row
from agnews_ui.compare_view import ERRORS_LINK_PARAM, from_errors_link
from agnews_ui.errors_filters import (
    PREDICTED_KEY,
    TRUE_KEY,
    label_id,
    label_options,
    page_picker,
    sync_label_filters,
)
from agnews_ui.map_rows import keep_chosen
from agnews_ui.pickers import pick_sweep_and_finished_run
from agnews_ui.resources import load_predictions, source_rows
from agnews_ui.resources import store as get_store
from agnews_ui.verdict_panel import verdict_form, verdicts_section

page_registry.ensure_app_navigation(__file__)

PAGE_SIZES = (25, 50, 100)
VISIBLE_ROWS = 12  # rows the table shows before it scrolls (its default height showed about 6 at this row height)


def review_rows(sweep: SweepRecord, run: RunRecord, frame: pd.DataFrame, review: LabelReview | None,
                verdicts: VerdictStore) -> None:
    """The filters, then the matching rows: a table, the selected row with its verdict form, a CSV download."""
    filters = st.columns([1, 1, 1, 2])
    split = filters[0].selectbox("Rows", review_view.SPLITS, format_func=review_view.SPLIT_LABELS.get,
                                 key=review_view.SPLIT_KEY)
    names = sweep.labels.names
    true_name = filters[1].selectbox("True label", label_options(names), key=TRUE_KEY)
    predicted_name = filters[2].selectbox("Predicted label", label_options(names), key=PREDICTED_KEY)
    query = filters[3].text_input("Search text", key="errors_query", placeholder="words in the article, e.g. oil")
    options = st.columns([2, 1, 1])
    order = options[0].segmented_control("Sort by confidence", ["most confident first", "least confident first"],
                                         default="most confident first", key="errors_order") or "most confident first"
    st.session_state.setdefault(review_view.ONLY_ERRORS_KEY, True)
    only_errors = options[1].toggle("Errors only", key=review_view.ONLY_ERRORS_KEY)
    page_size = options[2].selectbox("Rows per page", PAGE_SIZES, key="errors_page_size")
    suspects_only, tag = review_view.review_filter_row(review)
    review_view.write_review_params(sweep.sweep_id, run.run_id)
    if split == "train" and not (frame["split"] == "train").any():
        st.info("The training rows of this run cannot be reviewed: "
                f"{review.train_note if review else 'suspected label errors are not available'}.")
        return

    chosen = ErrorFilter(split=split, true_label=label_id(true_name, names),
                         predicted_label=label_id(predicted_name, names),
                         query=query, only_errors=only_errors, most_confident_first=order.startswith("most"))
    matches = keep_chosen(filter_review(filter_predictions(frame, chosen), suspects_only, tag), sweep, run.run_id)
    total_split = int((frame["split"] == split).sum())
    what = " ".join(["suspected"] * suspects_only + ["misclassified" if only_errors else "matching"])
    pair = f"true {true_name}, predicted {predicted_name}"
    st.markdown(f"**{len(matches):,} {what} rows** of {total_split:,} {split} rows ({pair}; lr {run.lr_label})")
    ranked_by = ", ".join(sorted(set(matches["ranked_by"].dropna()))) if "ranked_by" in matches else ""
    if suspects_only:
        st.caption("Most suspicious first (lowest label quality); sorting by confidence applies without the suspect "
                   "filter." + (f" Ranked by {ranked_by}." if ranked_by else ""))
    elif split == "train" and ranked_by:
        st.caption(f"Label quality of these rows ranked by {ranked_by}.")
    if matches.empty:
        st.info("No rows match these filters. Choose 'any' for a label or clear the search.",
                icon=":material/filter_alt_off:")
        return

    rows, page, page_count = page_picker(matches, page_size)
    current = verdicts.verdicts()
    table = review_view.with_review_columns(readable_table(rows), rows, current, names)
    probability_columns = {c: st.column_config.ProgressColumn(c, min_value=0.0, max_value=1.0, format="percent",
                                                             width="small")
                           for c in table.columns if c.startswith("P(") or c == "confidence"}
    selection = st.dataframe(table, hide_index=True, width="stretch", row_height=60, on_select="rerun",
                             height=60 * min(max(len(table), 1), VISIBLE_ROWS) + 40,
                             selection_mode="single-row", key=f"errors-table-{page}",
                             column_config={"text": st.column_config.TextColumn("text", width="large"),
                                            "label quality": st.column_config.NumberColumn(format="%.3f"),
                                            **probability_columns})
    st.caption(f"Page {page} of {page_count}; select a row to read its whole text (shown as plain text).")
    chosen_rows = selection.selection.rows if selection else []
    if chosen_rows and chosen_rows[0] < len(table):
        row = table.iloc[chosen_rows[0]]
        with st.container(border=True):
            st.caption(f"True {row['true label']}, predicted {row['predicted']} at {row['confidence']:.1%} confidence")
            st.text(row["text"])
            st.markdown("**Verdict on this row's gold label**")
            picked = rows.iloc[chosen_rows[0]]
            verdict_form(verdicts, str(picked["text"]), int(picked["label"]), int(picked["predicted"]), names)
        why_this_row(sweep.sweep_id, run.run_id, row["text"], row["predicted"])
    # A callable: the CSV is made on click, not on every rerun (2.3 s of a 200,000-row page, bench/README.md)
    st.download_button("Download these rows as CSV",
                       lambda: review_view.with_review_columns(readable_table(matches), matches, current,
                                                               names).to_csv(index=False).encode("utf-8"),
                       file_name=f"errors-{sweep.sweep_id}-{run.run_id}-{split}.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore")


if ERRORS_LINK_PARAM in st.query_params:  # an older link to a comparison's rows: they are on the Compare page now
    page_registry.go_to(page_registry.COMPARE, from_errors_link(st.query_params.to_dict()))
st.title("Errors")
store = get_store()
sweep, runs, run = pick_sweep_and_finished_run(store, "errors")
source = sweep_source(sweep)
verdicts = VerdictStore(store.root, source)
try:
    predictions = load_predictions(sweep.sweep_id, run.run_id)
except ArtifactError as exc:
    st.error(f"The predictions of this run cannot be read: {exc}")
else:
    sync_label_filters(sweep.sweep_id, run.run_id, sweep.labels.names)
    review_view.sync_review_params(sweep.sweep_id, run.run_id)
    review = review_view.run_review(store, sweep, run.run_id)
    with st.container(border=True):
        crossfit_view.render_crossfit(sweep, run.run_id)
        review = crossfit_view.ranked_review(sweep, run.run_id, review)
    # The review has the same rows plus the training rows, the suspects and their scores.
    review_rows(sweep, run, review.rows if review is not None else predictions, review, verdicts)
verdicts_section(verdicts, source, lambda: source_rows(sweep.dataset_id or source), sweep.labels.names)
