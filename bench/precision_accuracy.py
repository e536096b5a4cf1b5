"""bf16 autocast vs fp32 training: same seed, rows and settings; accuracy on official test rows and examples/s."""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np

from bench.common import emit_json, load_minilm, load_split, print_table, quiet_transformers

MAX_DROP_POINTS = 0.3  # goal: bf16 within 0.3 points of fp32


def main() -> None:
    """Train MiniLM once per precision (fp32 first, then bf16) and score both on the same test rows."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--test-size", type=int, default=1000, help="rows of the official test split")
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--epochs", type=float, default=1.0)
    args = parser.parse_args()
    quiet_transformers()
    from agnews_core.config.precision import Precision, hardware_info
    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.modeling.batch_predict import predict_probabilities
    from agnews_core.modeling.training import TrainSettings, train_model

    hardware = hardware_info()
    print(f"machine: {hardware.describe()}")
    defaults = SweepConfig()
    train = load_split("train", args.train_size, seed=11)
    validation = load_split("train", 200, seed=12)
    validation = validation[~validation["text"].isin(set(train["text"]))]
    test = load_split("test", args.test_size, seed=13)
    results = {}
    for precision in (Precision.FP32, Precision.BF16):
        loaded = load_minilm(defaults.seed)
        settings = TrainSettings(args.lr, args.epochs, defaults.batch_size, defaults.seed, defaults.max_length,
                                 defaults.warmup_ratio, 2, precision=precision)
        started = time.perf_counter()
        outcome = train_model(loaded.model, loaded.tokenizer, train, validation, settings,
                              lambda _r: None, lambda _t, _e: None, threading.Event())
        wall = time.perf_counter() - started
        table = predict_probabilities(loaded.model, loaded.tokenizer, test["text"].tolist())  # fp32 scoring
        accuracy = float((table.predicted == np.asarray(test["label"])).mean())
        results[str(precision)] = dict(accuracy=accuracy, final_eval_loss=outcome.final_eval_loss,
                                       examples_per_second=outcome.examples_per_second, wall_seconds=wall,
                                       used=str(outcome.precision))
    fp32, bf16 = results["fp32"], results["bf16"]
    drop = (fp32["accuracy"] - bf16["accuracy"]) * 100
    print_table(f"MiniLM, lr {args.lr:g}, {len(train)} train rows, {args.epochs:g} epoch, seed {defaults.seed}; "
                f"accuracy on {len(test)} official test rows",
                ["precision", "test accuracy", "final eval loss", "train examples/s", "train_model wall s"],
                [(k, v["accuracy"], v["final_eval_loss"], v["examples_per_second"], v["wall_seconds"])
                 for k, v in results.items()])
    speed = bf16["examples_per_second"] / fp32["examples_per_second"]
    print(f"\nbf16 - fp32: {-drop:+.1f} points (within {MAX_DROP_POINTS}: {'yes' if drop <= MAX_DROP_POINTS else 'NO'}); "
          f"bf16 trains {speed:.2f}x as fast (two runs in sequence: contention can differ between them)")
    emit_json("precision_accuracy", hardware=hardware.describe(), train_rows=len(train), test_rows=len(test),
              results=results, drop_points=round(drop, 2), met=drop <= MAX_DROP_POINTS, bf16_speedup=round(speed, 3))


if __name__ == "__main__":
    main()
