"""Ray on one machine: the same sweep on the thread executor and on an embedded Ray, wall-time ratios.

1. overhead: a small MiniLM sweep of 2 LRs; the thread (2 torch threads) vs Ray with one 2-CPU trial at a
   time (the same threads, one trial after the other), so the ratio is what Ray adds. Target: <= 1.15.
2. parallel: a 4-LR tiny sweep; the thread vs Ray running 2 concurrent 1-CPU trials.
Ray starts once before the timings, as in the app, which keeps its embedded Ray between sweeps; the start-up
is reported on its own. Each sweep is timed from executor.run() to its return, data loading and baselines
included (both executors do them the same way).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # the embedded Ray stays on loopback

from bench.common import data_spec, emit_json, print_table, quiet_transformers, ratio  # noqa: E402

TARGET = 1.15


def _time_sweep(executor_name: str, config, root: str, cpus_per_trial: float) -> tuple[float, str]:  # noqa: ANN001
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.sweeps.executors.ray_executor import RayExecutor, RaySettings
    from agnews_core.sweeps.executors.thread import ThreadExecutor
    from agnews_core.sweeps.runner import create_sweep

    store = ArtifactStore(root)
    sweep = create_sweep(store, config)
    executor = ThreadExecutor(store) if executor_name == "thread" else \
        RayExecutor(store, RaySettings(address="local", local_cpus=2, cpus_per_trial=cpus_per_trial))
    started = time.perf_counter()
    record = executor.run(sweep.sweep_id, lambda _: None, threading.Event())
    return time.perf_counter() - started, str(record.status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=512, help="MiniLM train rows per LR (default 512)")
    parser.add_argument("--repeats", type=int, default=1, help="alternating thread/Ray pairs per comparison")
    parser.add_argument("--skip-minilm", action="store_true", help="only the tiny parallel comparison")
    args = parser.parse_args()
    quiet_transformers()
    import torch

    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.sweeps.executors import ray_cluster as ray_cluster

    torch.set_num_threads(2)
    started = time.perf_counter()
    ray_cluster.connect("local", 2)
    startup = time.perf_counter() - started
    comparisons = []
    if not args.skip_minilm:
        comparisons.append(("MiniLM, 2 LRs", SweepConfig(
            learning_rates=(5e-5, 1e-4), model="minilm", data=data_spec(), train_size=args.train_size,
            eval_size=128, test_size=128, epochs=1.0, keep_models="none", evals_per_run=2), 2.0))
    comparisons.append(("tiny, 4 LRs, 2 parallel 1-CPU trials", SweepConfig(
        learning_rates=(3e-3, 1e-3, 3e-4, 1e-4), model="tiny", data="sample", train_size=1600, eval_size=200,
        test_size=200, epochs=1.0, keep_models="none", evals_per_run=2), 1.0))
    rows, numbers = [], {"ray_startup_s": round(startup, 1)}
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as root:
        for name, config, cpus in comparisons:
            thread_s, ray_s = [], []
            for _ in range(args.repeats):
                seconds, status = _time_sweep("thread", config, root, cpus)
                thread_s.append(seconds)
                assert status == "done", status
                seconds, status = _time_sweep("ray", config, root, cpus)
                ray_s.append(seconds)
                assert status == "done", status
            thread, ray = min(thread_s), min(ray_s)
            rows.append((name, thread, ray, ratio(ray, thread)))
            key = "overhead" if cpus == 2.0 else "parallel"
            numbers.update({f"{key}_thread_s": round(thread, 1), f"{key}_ray_s": round(ray, 1),
                            f"{key}_ratio": ratio(ray, thread)})
    ray_cluster.disconnect()
    print_table("Thread vs Ray (wall seconds; ratio = Ray / thread)", ["sweep", "thread s", "Ray s", "ratio"], rows)
    print(f"embedded Ray start-up (once per app process): {startup:.1f} s")
    emit_json("ray_overhead", **numbers, target_overhead=TARGET,
              met=numbers.get("overhead_ratio", 0) <= TARGET if "overhead_ratio" in numbers else None,
              torch_threads=torch.get_num_threads(), gpu="none in this session")


if __name__ == "__main__":
    main()
