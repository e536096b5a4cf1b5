"""One training run at one setting, scored on the whole official test split: for choosing the sweep defaults.

    python -m bench.defaults_probe [--lr 1e-4] [--train-size 8000] [--batch-size 32] [--epochs 1] [--max-length 128]
                                   [--precision auto] [--pooling cls|mean] [--data sample|FOLDER]

Trains MiniLM once as a sweep run would (agnews_core.modeling.training.train_model, the sweep's splits) and scores the
whole test split of the data (7,600 rows for AG News). `--pooling mean` swaps BERT's CLS pooler for the attention
mask's mean of the last hidden states (how all-MiniLM-L6-v2 was pretrained), to measure that lever only: the
product's models keep the standard BertForSequenceClassification head, which every tool can load.
"""

from __future__ import annotations

import argparse
import threading
import time
from typing import Any

import numpy as np

from bench.common import emit_json, load_minilm, machine, print_table, quiet_transformers


def use_mean_pooling(model: Any) -> None:
    """Replace model.bert's pooler by a masked mean over tokens (the mask is read from each forward call)."""
    import torch

    mask: dict[str, Any] = {}

    class MeanPooler(torch.nn.Module):
        def forward(self, hidden_states: Any) -> Any:
            weights = mask["value"].unsqueeze(-1).to(hidden_states.dtype)
            return (hidden_states * weights).sum(1) / weights.sum(1).clamp(min=1)

    def remember_mask(_module: Any, args: tuple, kwargs: dict) -> None:
        ids = kwargs.get("input_ids", args[0] if args else None)
        given = kwargs.get("attention_mask")
        mask["value"] = given if given is not None else torch.ones_like(ids)

    model.bert.register_forward_pre_hook(remember_mask, with_kwargs=True)
    model.bert.pooler = MeanPooler()


def main() -> None:
    """Train MiniLM once like a sweep run would and report whole-test-split accuracy and time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--train-size", type=int, default=None, help="default: the sweep default")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the sweep default")
    parser.add_argument("--epochs", type=float, default=None, help="default: the sweep default")
    parser.add_argument("--max-length", type=int, default=None, help="default: the sweep default")
    parser.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"))
    parser.add_argument("--pooling", default="cls", choices=("cls", "mean"))
    parser.add_argument("--data", default="sample", help="'sample' or an AG News folder")
    args = parser.parse_args()
    quiet_transformers()
    from dataclasses import replace

    from agnews_core.config.precision import resolve_here
    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.data.sources import load_source, make_splits
    from agnews_core.modeling.batch_predict import predict_probabilities
    from agnews_core.modeling.training import TrainSettings, train_model

    chosen = {k: v for k, v in (("train_size", args.train_size), ("batch_size", args.batch_size),
                                ("epochs", args.epochs), ("max_length", args.max_length)) if v is not None}
    config = replace(SweepConfig(data=args.data, learning_rates=(args.lr,)), **chosen)
    source = load_source(config.data)
    splits = make_splits(source, replace(config, test_size=len(source.test)))
    loaded = load_minilm(config.seed)
    if args.pooling == "mean":
        use_mean_pooling(loaded.model)
    precision = resolve_here(args.precision)
    settings = TrainSettings(args.lr, config.epochs, config.batch_size, config.seed, config.max_length,
                             config.warmup_ratio, config.evals_per_run, precision=precision)
    started = time.perf_counter()
    outcome = train_model(loaded.model, loaded.tokenizer, splits.train, splits.validation, settings,
                          lambda _r: None, lambda _t, _e: None, threading.Event())
    wall = time.perf_counter() - started
    table = predict_probabilities(loaded.model, loaded.tokenizer, splits.test["text"].tolist(),
                                  max_length=config.max_length, precision=str(precision))
    accuracy = float((table.predicted == np.asarray(splits.test["label"])).mean())
    title = (f"lr {args.lr:g}, {len(splits.train):,} train rows ({source.description}), batch {config.batch_size}, "
             f"epochs {config.epochs:g}, max length {config.max_length}, {precision}, {args.pooling} pooling; {machine()}")
    print_table(title, ["measure", "value"], [
        (f"accuracy, whole test split ({len(splits.test):,} rows)", accuracy),
        ("final eval loss", outcome.final_eval_loss or float("nan")),
        ("train s (optimizer steps only)", outcome.train_seconds), ("train_model wall s", wall),
        ("train examples/s", outcome.examples_per_second), ("scoring the test split, s", table.seconds)])
    emit_json("defaults_probe", lr=args.lr, train_rows=len(splits.train), batch_size=config.batch_size,
              epochs=config.epochs, max_length=config.max_length, precision=str(precision), pooling=args.pooling,
              data=source.description, test_rows=len(splits.test), accuracy=accuracy,
              final_eval_loss=outcome.final_eval_loss, train_seconds=outcome.train_seconds, wall_seconds=wall,
              examples_per_second=outcome.examples_per_second, scoring_seconds=table.seconds)


if __name__ == "__main__":
    main()
