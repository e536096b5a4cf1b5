"""The quick demo model, as Predict's button starts it: wall time against the 2-minute target, and its accuracy.

    python -m bench.quick_demo [--repeats 1]

Each repeat submits agnews_core.sweeps.quick_demo.quick_demo_config() through JobManager.submit in this process, on a fresh
temporary artifacts folder (so the estimate is the first guess a fresh install shows), and waits for it. Prints the
estimate, the wall time from submit to done, its accuracy on its test rows and on the whole official test split.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import emit_json, machine, median, print_table, quiet_transformers


def one_quick_demo(root: Path) -> dict:
    """Submit the quick demo on a fresh folder, wait, and score its kept model on the whole test split."""
    import numpy as np

    from agnews_core.data.sources import load_source
    from agnews_core.modeling.batch_predict import predict_probabilities
    from agnews_core.modeling.models import load_saved
    from agnews_core.sweeps.jobs import JobManager
    from agnews_core.sweeps.quick_demo import quick_demo_config

    manager = JobManager.shared(root)
    config = quick_demo_config()
    estimate = manager.estimate_seconds(config)
    started = time.perf_counter()
    sweep = manager.submit(config)
    if not manager.wait_idle(timeout=1800):
        raise SystemExit("the quick demo did not finish within 30 minutes")
    wall = time.perf_counter() - started
    record = manager.store.load_sweep(sweep.sweep_id)
    run = manager.store.load_run(sweep.sweep_id, record.best_run_id)
    manager.stop()
    test = load_source("sample").test
    loaded = load_saved(manager.store.paths.model_dir(sweep.sweep_id, run.run_id))
    table = predict_probabilities(loaded.model, loaded.tokenizer, test["text"].tolist())
    whole = float((table.predicted == np.asarray(test["label"])).mean())
    return {"estimate_seconds": round(estimate, 1), "wall_seconds": round(wall, 1), "status": str(record.status),
            "test_rows": run.test.count, "test_accuracy": run.test.accuracy, "whole_test_accuracy": round(whole, 4),
            "train_examples_per_second": run.train_examples_per_second}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    quiet_transformers()
    from agnews_core.sweeps.quick_demo import TARGET_SECONDS

    results = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="agnews-quick-demo-") as tmp:
            results.append(one_quick_demo(Path(tmp) / "artifacts"))
    rows = [(i + 1, r["estimate_seconds"], r["wall_seconds"], r["status"], f"{r['test_accuracy']:.4f} ({r['test_rows']})",
             r["whole_test_accuracy"], r["train_examples_per_second"]) for i, r in enumerate(results)]
    print_table(f"quick demo model on {machine()}", ["repeat", "estimate s", "wall s", "status",
                                                     "accuracy (its test rows)", "accuracy (7,600 test rows)",
                                                     "train ex/s"], rows)
    wall = median([r["wall_seconds"] for r in results])
    emit_json("quick_demo", repeats=args.repeats, median_wall_seconds=wall, target_seconds=TARGET_SECONDS,
              met=wall <= TARGET_SECONDS, results=results)


if __name__ == "__main__":
    main()
