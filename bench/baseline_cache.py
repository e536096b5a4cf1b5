"""Baseline time a sweep saves when an earlier identical sweep's baselines are in the cache.

    python -m bench.baseline_cache [--model minilm] [--train-size 2000] [--test-size 1000] [--repeats 1]

Each repeat runs two identical one-LR sweeps in this process on a fresh temporary artifacts folder: the first scores
the TF-IDF baseline and the untrained model and caches them, the second finds them in the cache. Prints the seconds
of each sweep's baseline phase (SweepRunner._baselines), of the whole sweep, and first / second. torch,
transformers and scikit-learn are imported before either sweep, as in the app's long-lived process.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import emit_json, machine, median, print_table, quiet_transformers, ratio


def timed_sweep(root: Path, config) -> tuple[float, float, dict[str, str]]:  # noqa: ANN001
    """(baseline seconds, sweep seconds, baselines reused) of one sweep run on this thread."""
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.sweeps.runner import SweepRunner, create_sweep

    class TimedRunner(SweepRunner):
        baseline_seconds = 0.0

        def _baselines(self, splits) -> None:  # noqa: ANN001
            started = time.perf_counter()
            super()._baselines(splits)
            self.baseline_seconds = time.perf_counter() - started

    store = ArtifactStore(root)
    started = time.perf_counter()
    runner = TimedRunner(store, create_sweep(store, config).sweep_id)
    record = runner.run()
    if record.status != "done":
        raise SystemExit(f"sweep {record.sweep_id} ended {record.status}: {record.error}")
    return runner.baseline_seconds, time.perf_counter() - started, record.baselines_reused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm", help="minilm (default) or tiny")
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    quiet_transformers()
    # Imported before the clock: a long-lived app process has them already, and the second sweep's runs need them.
    import sklearn.feature_extraction.text  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import torch  # noqa: F401
    import transformers  # noqa: F401

    from agnews_core.config.sweep_config import SweepConfig

    # One short LR and no kept weights: the runs are not what is measured, only what precedes them.
    config = SweepConfig(learning_rates=(1e-4,), model=args.model, data="sample", train_size=args.train_size,
                         eval_size=100, test_size=args.test_size, epochs=0.05, evals_per_run=1, keep_models="none")
    results = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="agnews-baseline-cache-") as tmp:
            first_baselines, first_sweep, _ = timed_sweep(Path(tmp), config)
            second_baselines, second_sweep, reused = timed_sweep(Path(tmp), config)
        results.append({"first_baseline_seconds": round(first_baselines, 3),
                        "second_baseline_seconds": round(second_baselines, 3),
                        "first_sweep_seconds": round(first_sweep, 2), "second_sweep_seconds": round(second_sweep, 2),
                        "reused": sorted(reused)})
    rows = [(i + 1, r["first_baseline_seconds"], r["second_baseline_seconds"],
             ratio(r["first_baseline_seconds"], r["second_baseline_seconds"]), r["first_sweep_seconds"],
             r["second_sweep_seconds"], ", ".join(r["reused"])) for i, r in enumerate(results)]
    print_table(f"{args.model}, {args.train_size:,} train / {args.test_size:,} test rows, on {machine()}",
                ["repeat", "baselines, 1st sweep s", "2nd sweep s", "1st/2nd", "whole 1st sweep s", "2nd s",
                 "reused by the 2nd"], rows)
    first = median([r["first_baseline_seconds"] for r in results])
    second = median([r["second_baseline_seconds"] for r in results])
    emit_json("baseline_cache", model=args.model, train_size=args.train_size, test_size=args.test_size,
              repeats=args.repeats, median_first_baseline_seconds=first, median_second_baseline_seconds=second,
              saved_seconds=round(first - second, 3), speedup=ratio(first, second), results=results)


if __name__ == "__main__":
    main()
