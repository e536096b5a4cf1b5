"""One training run at one setting, scored on the sweep's test rows and on extra test rows: for choosing defaults."""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np

from bench.common import data_spec, emit_json, load_minilm, print_table, quiet_transformers


def main() -> None:
    """Train MiniLM once like a sweep run would and report accuracy and time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--train-size", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=0.1)
    parser.add_argument("--extra-test", type=int, default=2000, help="test rows outside the sweep's test rows")
    args = parser.parse_args()
    quiet_transformers()
    from agnews_core.batch_predict import predict_probabilities
    from agnews_core.config import SweepConfig
    from agnews_core.data import load_source, make_splits
    from agnews_core.training import TrainSettings, train_model

    config = SweepConfig(data=data_spec(), train_size=args.train_size, batch_size=args.batch_size,
                         epochs=args.epochs, warmup_ratio=args.warmup, learning_rates=(args.lr,))
    source = load_source(config.data)
    splits = make_splits(source, config)
    extra = source.test[~source.test["text"].isin(set(splits.test["text"]))].sample(args.extra_test, random_state=0)
    loaded = load_minilm(config.seed)
    settings = TrainSettings(args.lr, config.epochs, config.batch_size, config.seed, config.max_length,
                             config.warmup_ratio, config.evals_per_run)
    started = time.perf_counter()
    outcome = train_model(loaded.model, loaded.tokenizer, splits.train, splits.validation, settings,
                          lambda _r: None, lambda _t, _e: None, threading.Event())
    wall = time.perf_counter() - started
    scores = {}
    for name, frame in (("sweep test", splits.test), ("extra test", extra), ("validation", splits.validation)):
        table = predict_probabilities(loaded.model, loaded.tokenizer, frame["text"].tolist())
        scores[name] = float((table.predicted == np.asarray(frame["label"])).mean())
    print_table(f"lr {args.lr:g}, train {args.train_size}, batch {args.batch_size}, epochs {args.epochs:g}, "
                f"warmup {args.warmup:g}", ["measure", "value"],
                [*((f"accuracy, {k} ({n} rows)", v) for (k, v), n in
                   zip(scores.items(), (len(splits.test), len(extra), len(splits.validation)), strict=True)),
                 ("final eval loss", outcome.final_eval_loss or float("nan")), ("train s (steps only)", outcome.train_seconds),
                 ("train_model wall s", wall), ("examples/s", outcome.examples_per_second)])
    emit_json("defaults_probe", lr=args.lr, train_size=args.train_size, batch_size=args.batch_size, epochs=args.epochs,
              warmup=args.warmup, accuracy=scores, final_eval_loss=outcome.final_eval_loss,
              train_seconds=outcome.train_seconds, wall_seconds=wall, examples_per_second=outcome.examples_per_second)


if __name__ == "__main__":
    main()
