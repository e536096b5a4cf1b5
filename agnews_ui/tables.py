"""Tables as the pages show them: the results table of a sweep, styled, and the per-class metrics."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from agnews_core.analysis.run_table import run_rows
from agnews_core.store.records import EvalMetrics, RunRecord, SweepRecord
from agnews_ui.charts import lr_colour
from agnews_ui.format import pct

BEST_STYLE = "background-color: rgba(44, 160, 44, 0.15); font-weight: 600"
# A Styler shows every float with six decimals unless told otherwise.
NUMBER_FORMATS = {"eval loss": "{:.4f}", "vs TF-IDF (points)": "{:+.1f}", "vs untrained (points)": "{:+.1f}",
                  "train ex/s": "{:.1f}"}


def results_frame(sweep: SweepRecord, runs: Sequence[RunRecord]) -> pd.DataFrame:
    """One row per run, best by eval loss first; columns starting with '_' drive the styling only."""
    return pd.DataFrame([{
        "": "★ best" if row.best else "",
        "lr": row.run.lr_label,
        "state": row.run.status,
        "eval loss": row.run.final_eval_loss,
        "val accuracy": pct(row.run.validation.accuracy) if row.run.validation else "",
        "test accuracy": pct(row.run.test.accuracy if row.run.test else None),
        "test macro-F1": pct(row.run.test.macro_f1) if row.run.test else "",
        "vs TF-IDF (points)": row.vs_tfidf_points,
        "vs untrained (points)": row.vs_untrained_points,
        "train ex/s": round(row.run.train_examples_per_second, 1) or None,
        "precision": row.run.precision or "–",
        "serves as": str(row.run.inference_variant.chosen) if row.run.inference_variant else "",
        "note": row.run.error,
        "_index": row.run.index,
        "_best": row.best,
    } for row in run_rows(sweep, runs)])


def styled_results(frame: pd.DataFrame) -> Styler:
    """Each lr in its curve's colour, the best run highlighted, numbers rounded, missing values as '–'."""
    def style_row(row: pd.Series) -> list[str]:
        best = BEST_STYLE if row["_best"] else ""
        colour = f"color: {lr_colour(int(row['_index']))}; font-weight: 600"
        return [f"{best}; {colour}" if col == "lr" and best else colour if col == "lr" else best for col in row.index]

    return frame.style.apply(style_row, axis=1).format(NUMBER_FORMATS, na_rep="–")


def visible_columns(frame: pd.DataFrame) -> list[str]:
    """The columns to show (those starting with '_' only style the rows)."""
    return [c for c in frame.columns if not c.startswith("_")]


def per_class_frame(test: EvalMetrics) -> pd.DataFrame:
    """Precision, recall, F1, support and error count per label."""
    return pd.DataFrame([{"label": c.label, "precision": pct(c.precision), "recall": pct(c.recall), "F1": pct(c.f1),
                          "support": c.support, "errors": c.support - test.confusion[i][i]}
                         for i, c in enumerate(test.per_class)])
