"""Word attributions: latency for one headline and faithfulness, occlusion (fp32, int8) vs Integrated Gradients.

Faithfulness: deleting a row's 3 top-attributed words should lower the predicted class's probability more than
deleting 3 random words (seeded). Both mean drops are printed per method, over --rows official test rows.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.common import REPO_ROOT, emit_json, percentile, print_table, quiet_transformers

TARGET_P50_MS = 300.0
TOP_K = 3
DATA_DIR = Path(os.environ.get("AGNEWS_BENCH_DATA", REPO_ROOT / ".." / "shared" / "data" / "ag_news"))
SWEEP_HINT = ("python -m agnews_core sweep --lrs 1e-4 --train-size 1000 --eval-size 200 --test-size 300 --epochs 1 "
              "--artifacts DIR")


@dataclass
class Method:
    """One attribution method, the probability function its faithfulness is judged by, and its measurements."""

    name: str
    explain: Callable[[str], Any]  # text -> agnews_core.serving.attribution.Attribution
    probs_fn: Callable[[list[str]], np.ndarray]
    latencies_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # process CPU time, all threads: robust to contention
    predict_ms: list[float] = field(default_factory=list)  # one plain prediction of the same text: the baseline
    top_drops: list[float] = field(default_factory=list)
    random_drops: list[float] = field(default_factory=list)


def load_run(artifacts: str | None, run: str | None) -> tuple[Any, str]:
    """The saved model of --run (SWEEP[/RUN]) or of the best run of the latest sweep; exits with a hint if none."""
    from agnews_core.modeling.models import load_saved
    from agnews_core.serving.predictor import default_run, parse_run_ref
    from agnews_core.store.artifact_store import ArtifactStore

    store = ArtifactStore(artifacts)
    ref = parse_run_ref(store, run) if run else default_run(store)
    if ref is None or ref.is_untrained:
        sys.exit(f"no fine-tuned run with saved weights in {store.root}: run a sweep first, e.g. {SWEEP_HINT}")
    sweep = store.load_sweep(ref.sweep_id)
    return load_saved(store.model_dir(ref.sweep_id, ref.run_id)), f"{ref.sweep_id}/{ref.run_id} ({sweep.config.model})"


def build_methods(loaded: Any, ig_steps: int) -> list[Method]:
    """Occlusion over the fp32 and the int8 model, and Integrated Gradients over the fp32 weights."""
    from agnews_core.serving.attribution import occlusion, probabilities_function
    from agnews_core.serving.predictor import quantize_dynamic_int8

    loaded.model.eval()
    fp32 = probabilities_function(loaded.model, loaded.tokenizer)
    # one text per batch, as the app scores int8 (dynamic quantization scales activations per batch)
    int8 = probabilities_function(quantize_dynamic_int8(copy.deepcopy(loaded.model)), loaded.tokenizer, batch_size=1)
    methods = [
        Method("occlusion, fp32", lambda t: occlusion(t, fp32), fp32),
        Method("occlusion, int8", lambda t: occlusion(t, int8), int8),
    ]
    if ig_steps <= 0:
        return methods
    try:
        import captum  # noqa: F401

        from bench.integrated_gradients import integrated_gradients
    except ImportError:
        print("captum is not installed: skipping Integrated Gradients (pip install captum==0.9.0 to compare)")
        return methods
    methods.append(Method(f"integrated gradients ({ig_steps} steps), fp32",
                          lambda t: integrated_gradients(t, loaded.model, loaded.tokenizer, steps=ig_steps), fp32))
    return methods


def measure_latency(methods: list[Method], texts: list[str]) -> None:
    """One attribution per text per method, right after one plain prediction of the same text (the baseline);
methods interleaved so contention hits all alike; 2 warm-up calls."""
    for method in methods:
        for text in texts[:2]:
            method.explain(text)
    for text in texts:
        for method in methods:
            started = time.perf_counter()
            method.probs_fn([text])
            method.predict_ms.append((time.perf_counter() - started) * 1000)
            started, cpu = time.perf_counter(), time.process_time()
            method.explain(text)
            method.latencies_ms.append((time.perf_counter() - started) * 1000)
            method.cpu_ms.append((time.process_time() - cpu) * 1000)


def measure_faithfulness(method: Method, texts: list[str], seed: int) -> None:
    """Drop of the explained class's probability after deleting the top-3 words, and after deleting 3 random ones."""
    from agnews_core.serving.attribution import remove_words

    rng = np.random.default_rng(seed)  # the same random positions for every method
    top_texts, random_texts, targets, full = [], [], [], []
    for text in texts:
        result = method.explain(text)
        top_texts.append(remove_words(result.words, result.top_positions(TOP_K)))
        random_texts.append(remove_words(result.words, rng.choice(len(result.words), TOP_K, replace=False)))
        targets.append(result.label_id)
        full.append(result.probability)
    rows = np.arange(len(texts))
    targets_arr, full_arr = np.array(targets), np.array(full)
    method.top_drops = (full_arr - method.probs_fn(top_texts)[rows, targets_arr]).tolist()
    method.random_drops = (full_arr - method.probs_fn(random_texts)[rows, targets_arr]).tolist()


def test_rows(rows: int, seed: int) -> pd.DataFrame:
    """rows official test rows with more than TOP_K words, seeded."""
    path = DATA_DIR / "test.parquet"
    if not path.is_file():
        sys.exit(f"{path} is missing: set AGNEWS_BENCH_DATA to a folder holding the AG News test.parquet")
    frame = pd.read_parquet(path)
    frame = frame[frame["text"].astype(str).str.split().str.len() > TOP_K]
    return frame.sample(n=min(rows, len(frame)), random_state=seed).reset_index(drop=True)


def main() -> None:
    """Latency p50/p95 and faithfulness per method, then one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", default=None, help="SWEEP or SWEEP/RUN (default: best run of the latest sweep)")
    parser.add_argument("--artifacts", default=None, help="artifacts folder (default: AGNEWS_ARTIFACTS or artifacts)")
    parser.add_argument("--rows", type=int, default=200, help="test rows for faithfulness (default 200)")
    parser.add_argument("--latency-texts", type=int, default=30, help="headlines timed per method (default 30)")
    parser.add_argument("--latency-words", type=int, default=0,
                        help="time only the first N words of each row, e.g. 12 for a bare headline (default: whole row)")
    parser.add_argument("--ig-rows", type=int, default=None, help="faithfulness rows for IG (default: --rows)")
    parser.add_argument("--ig-steps", type=int, default=32, help="Integrated Gradients steps (default 32; 0 skips IG)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    quiet_transformers()
    import torch

    torch.set_num_threads(args.threads)
    loaded, described = load_run(args.artifacts, args.run)
    methods = build_methods(loaded, args.ig_steps)
    rows = test_rows(max(args.rows, args.latency_texts), args.seed)
    words = rows["text"].astype(str).str.split().str.len()
    print(f"model: {described}; {len(rows)} test rows, median {words.median():.0f} words; {args.threads} threads",
          flush=True)
    timed = rows["text"].astype(str).tolist()[: args.latency_texts]
    if args.latency_words > 0:
        timed = [" ".join(t.split()[: args.latency_words]) for t in timed]
    print(f"timing {len(timed)} texts, median {statistics.median(len(t.split()) for t in timed):.0f} words")
    measure_latency(methods, timed)
    for m in methods:
        print(f"{m.name}: p50 {percentile(m.latencies_ms, 50):,.0f} ms wall, {percentile(m.cpu_ms, 50):,.0f} ms CPU; "
              f"one plain prediction p50 {percentile(m.predict_ms, 50):,.1f} ms "
              f"({percentile(m.latencies_ms, 50) / percentile(m.predict_ms, 50):.1f}x)", flush=True)
    texts = rows["text"].astype(str).tolist()[: args.rows]
    for method in methods:
        started = time.perf_counter()
        limit = args.ig_rows if args.ig_rows and method.name.startswith("integrated") else len(texts)
        measure_faithfulness(method, texts[:limit], args.seed)
        print(f"{method.name}: faithfulness over {limit} rows in {time.perf_counter() - started:.0f} s: mean drop "
              f"{statistics.mean(method.top_drops):.4f} (top {TOP_K}) vs {statistics.mean(method.random_drops):.4f} "
              "(random)", flush=True)
    table = [(m.name, percentile(m.latencies_ms, 50), percentile(m.latencies_ms, 95), percentile(m.cpu_ms, 50),
              len(m.top_drops), statistics.mean(m.top_drops), statistics.mean(m.random_drops),
              float(np.mean(np.array(m.top_drops) > np.array(m.random_drops)))) for m in methods]
    print_table(f"Attribution of one headline ({args.threads} threads) and faithfulness",
                ["method", "p50 ms", "p95 ms", "p50 CPU ms", "rows", f"mean drop, top {TOP_K} deleted",
                 f"mean drop, {TOP_K} random deleted", "rows top > random"], table)
    emit_json("attribution", model=described, threads=args.threads, target_p50_ms=TARGET_P50_MS,
              latency_texts=len(methods[0].latencies_ms),
              methods={name: {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "p50_cpu_ms": round(cpu, 1),
                              "p50_plain_prediction_ms": round(percentile(m.predict_ms, 50), 1), "rows": n,
                              "top_drop": round(top, 4), "random_drop": round(rnd, 4),
                              "met_latency": p50 <= TARGET_P50_MS, "faithful": top > rnd}
                       for m, (name, p50, p95, cpu, n, top, rnd, _) in zip(methods, table, strict=True)})


if __name__ == "__main__":
    main()
