"""`python -m agnews_core suspects`: a run's rows most likely to carry a wrong gold label, ranked as the Errors page
ranks them (its cached label review), as a table or a CSV file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from agnews_core.cli.crossfit_command import crossfit_hint
from agnews_core.review.crossfit_suspects import crossfit_review
from agnews_core.review.label_review import label_review
from agnews_core.store.artifact_store import ArtifactStore

PROG = "python -m agnews_core suspects"
SPLITS = ("train", "validation", "test")
METHODS = ("fast", "crossfit", "average")
CSV_COLUMNS = ("rank", "label_quality", "gold_label", "suggested_label", "suspected", "ranked_by", "text")


def add_suspects_parser(commands: argparse._SubParsersAction, artifacts_help: str) -> None:
    """The `suspects` command and its flags."""
    parser = commands.add_parser("suspects", help="a run's rows most likely to be mislabelled, most suspicious first")
    parser.add_argument("--sweep", required=True, metavar="SWEEP_ID", help="the sweep whose run to review")
    parser.add_argument("--run", default=None, metavar="RUN_ID", help="the run (default: the sweep's best run)")
    parser.add_argument("--split", choices=SPLITS, default="train",
                        help="which rows: train (scored out of sample by cross-validation), or the validation "
                             "or test rows (the run's own probabilities) (default train)")
    parser.add_argument("--top", type=int, default=20, metavar="N", help="how many rows to print (default 20)")
    parser.add_argument("--method", choices=METHODS, default="fast",
                        help="fast: training rows by TF-IDF and MiniLM sentence embeddings, cross-validated and "
                             "averaged; crossfit: training rows by the run's own model and settings, from its "
                             "finished cross-fit (`crossfit` command); average: the mean of the two (best on "
                             "random planted flips, fast best on Business <-> Sci/Tech flips: bench/README.md); validation and test rows always by the "
                             "run's own probabilities (default fast)")
    parser.add_argument("--csv", default=None, metavar="PATH", help="also write every ranked row of the split here")
    parser.add_argument("--artifacts", default=None, help=artifacts_help)


def run_suspects(args: argparse.Namespace, store: ArtifactStore) -> int:
    """Print the top suspects (and write the CSV); exit 2 with one line for a bad sweep, run or flag."""
    if args.top < 1:
        return _fail("--top must be at least 1")
    sweep = store.load_sweep(args.sweep)
    run_id = args.run or sweep.best_run_id
    if not run_id:
        return _fail(f"sweep {args.sweep} has no finished run to review")
    if run_id not in sweep.run_ids:
        return _fail(f"sweep {args.sweep} has no run {run_id!r} (runs: {', '.join(sweep.run_ids)})")
    if args.method in ("crossfit", "average"):
        if crossfit_review(store, sweep, run_id) is None:
            return _fail(_no_crossfit(store, args.sweep, run_id))
        fast = label_review(store, sweep, run_id) if args.method == "average" else None
        review = crossfit_review(store, sweep, run_id, fast)
        if review is None:
            return _fail(f"run {run_id}'s cross-fit and fast ranking scored different training rows (verdicts "
                         "applied since?): use --method crossfit or fast")
    else:
        review = label_review(store, sweep, run_id)
    ranked = ranked_rows(review.rows, args.split, sweep.labels.names)
    if ranked.empty:
        why = f": {review.train_note}" if args.split == "train" and review.train_note else ""
        return _fail(f"run {run_id} has no {args.split} rows to rank{why}")
    if args.csv:
        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        ranked.to_csv(args.csv, index=False)
    _print(ranked.head(args.top), sweep.sweep_id, run_id, args.split, int(ranked["suspected"].sum()), len(ranked))
    if args.csv:
        print(f"\nAll {len(ranked):,} ranked {args.split} rows written to {args.csv}")
    return 0


def _no_crossfit(store: ArtifactStore, sweep_id: str, run_id: str) -> str:
    """Why --method crossfit has nothing to rank, and the command that makes it (with its estimate when it can)."""
    from agnews_core.sweeps.crossfit import plan_crossfit
    from agnews_core.sweeps.progress import format_duration

    try:
        took = f" (about {format_duration(plan_crossfit(store, sweep_id, run_id).estimate_seconds)})"
    except ValueError as exc:
        return f"run {run_id} of {sweep_id} has no finished cross-fit, and none can start: {exc}"
    return (f"run {run_id} of {sweep_id} has no finished cross-fit: start one with `{crossfit_hint(sweep_id, run_id)}`"
            f"{took}, or use --method fast")


def ranked_rows(rows: pd.DataFrame, split: str, names: tuple[str, ...]) -> pd.DataFrame:
    """One split's rows, most suspicious first: rank, label quality, gold and suggested label names, text."""
    chosen = rows[rows["split"] == split].sort_values("suspect_rank", kind="stable")
    return pd.DataFrame({
        "rank": chosen["suspect_rank"].astype(int).to_numpy(),
        "label_quality": chosen["label_quality"].round(4).to_numpy(),
        "gold_label": [names[int(i)] for i in chosen["label"]],
        "suggested_label": [names[int(i)] for i in chosen["predicted"]],
        "suspected": chosen["suspected"].astype(bool).to_numpy(),
        "ranked_by": chosen["ranked_by"].to_numpy() if "ranked_by" in chosen else "",
        "text": chosen["text"].astype(str).to_numpy(),
    }, columns=list(CSV_COLUMNS))


def _print(top: pd.DataFrame, sweep_id: str, run_id: str, split: str, suspects: int, total: int) -> None:
    method = top["ranked_by"].iloc[0] if len(top) else ""
    print(f"Suspected label errors, {sweep_id}/{run_id}, {split} rows: {suspects:,} suspects of {total:,} "
          f"(ranked by {method})")
    width = max(10, min(24, max(len(str(v)) for v in [*top["gold_label"], *top["suggested_label"]])))
    print(f"{'rank':>6}  {'quality':>7}  {'gold':<{width}}  {'suggested':<{width}}  text")
    for row in top.itertuples(index=False):
        text = " ".join(row.text.split())
        print(f"{row.rank:>6}  {row.label_quality:>7.3f}  {str(row.gold_label)[:width]:<{width}}  "
              f"{str(row.suggested_label)[:width]:<{width}}  {text[:90]}{'…' if len(text) > 90 else ''}")


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2
