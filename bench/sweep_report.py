"""Accuracy table of the latest sweep in an artifacts folder: every run and both baselines, with per-class F1."""

from __future__ import annotations

import argparse
from datetime import datetime

from bench.common import emit_json, print_table

NOTEBOOK_ACCURACY = 0.8982  # the notebook's DistilBERT validation accuracy


def _seconds_between(start: str, end: str) -> float:
    parse = lambda text: datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def main() -> None:
    """Print runs (best by eval loss first), baselines and the sweep's recorded duration."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("artifacts", help="artifacts folder holding the sweep")
    args = parser.parse_args()
    from agnews_core.labels import LABELS
    from agnews_core.store.artifact_store import ArtifactStore

    store = ArtifactStore(args.artifacts)
    sweeps, _ = store.list_sweeps()
    if not sweeps:
        raise SystemExit(f"no sweep in {args.artifacts}")
    sweep = sweeps[0]
    runs, _ = store.load_runs(sweep)
    runs.sort(key=lambda r: (r.run_id != sweep.best_run_id, r.index))
    headers = ["model", "eval loss", "val acc", "test acc", "macro-F1", *(f"F1 {name}" for name in LABELS)]
    rows = []
    for run in runs:
        if run.test is None:
            continue
        mark = " (best by eval loss)" if run.run_id == sweep.best_run_id else ""
        rows.append((f"MiniLM lr {run.lr_label}{mark}", run.final_eval_loss or float("nan"),
                     run.validation.accuracy if run.validation else float("nan"), run.test.accuracy,
                     run.test.macro_f1, *(c.f1 for c in run.test.per_class)))
    for name, metrics in sweep.baselines.items():
        rows.append((name, "-", "-", metrics.accuracy, metrics.macro_f1, *(c.f1 for c in metrics.per_class)))
    seconds = _seconds_between(sweep.started_at, sweep.finished_at)
    print_table(f"Sweep {sweep.sweep_id} ({sweep.status}): {sweep.data_description}; recorded duration {seconds:.0f} s",
                headers, rows)
    best = next(r for r in runs if r.run_id == sweep.best_run_id)
    print(f"\nbest by eval loss: lr {best.lr_label}, test accuracy {best.test.accuracy:.1%} "
          f"(notebook {NOTEBOOK_ACCURACY:.2%}: {'beaten' if best.test.accuracy > NOTEBOOK_ACCURACY else 'NOT beaten'})")
    emit_json("sweep_report", sweep_id=sweep.sweep_id, config=sweep.config.to_dict(), recorded_seconds=seconds,
              best_run=best.run_id, best_test_accuracy=best.test.accuracy, best_test_macro_f1=best.test.macro_f1,
              runs={r.run_id: {"test_accuracy": r.test.accuracy, "test_macro_f1": r.test.macro_f1}
                    for r in runs if r.test},
              baselines={k: {"accuracy": v.accuracy, "macro_f1": v.macro_f1} for k, v in sweep.baselines.items()},
              target=NOTEBOOK_ACCURACY, met=best.test.accuracy > NOTEBOOK_ACCURACY)


if __name__ == "__main__":
    main()
