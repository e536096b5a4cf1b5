"""Command line: `python -m agnews_core sweep|runs|predict`."""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from agnews_core.artifacts import ArtifactError, ArtifactStore, default_root
from agnews_core.config import DEFAULT_LEARNING_RATES, SweepConfig, format_lr, parse_learning_rates
from agnews_core.models import ModelLoadError
from agnews_core.progress import Progress, format_duration

DEFAULTS = SweepConfig()


class CleanParser(argparse.ArgumentParser):
    """Bad flags exit 2 with one line, no usage dump and no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _lrs(text: str) -> tuple[float, ...]:
    try:
        return parse_learning_rates(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= minimum."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} must be at least {minimum}")
        return value

    return parse


_positive, _seed = _whole_number(1), _whole_number(0)


def _epochs(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0 or value > 20:
        raise argparse.ArgumentTypeError(f"{text} must be > 0 and <= 20")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The parser for all three commands."""
    parser = CleanParser(prog="python -m agnews_core", description="AG News Lab: fine-tune and review a news topic classifier.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CleanParser)
    lrs = ",".join(format_lr(x) for x in DEFAULT_LEARNING_RATES)

    sweep = commands.add_parser("sweep", help="fine-tune one fresh model per learning rate; pick the best by eval loss")
    sweep.add_argument("--lrs", type=_lrs, default=DEFAULT_LEARNING_RATES,
                       help=f"comma-separated learning rates, each > 0 and <= 1 (default {lrs})")
    sweep.add_argument("--model", default=DEFAULTS.model,
                       help="'minilm' (pretrained all-MiniLM-L6-v2, offline), 'tiny' (random tiny BERT for smoke "
                            "tests), a Hugging Face Hub id such as distilbert-base-uncased, or a local model folder "
                            f"(default {DEFAULTS.model})")
    sweep.add_argument("--data", default=DEFAULTS.data,
                       help="'auto' (the Hub if it answers, else the bundled sample), 'hub', 'sample', or a folder "
                            "holding train*/test* parquet or CSV files with text and label columns (default auto)")
    sweep.add_argument("--train-size", type=_positive, default=DEFAULTS.train_size,
                       help=f"training rows, drawn stratified from train after validation is held out (default {DEFAULTS.train_size})")
    sweep.add_argument("--eval-size", type=_positive, default=DEFAULTS.eval_size,
                       help=f"validation rows for eval loss and LR selection (default {DEFAULTS.eval_size})")
    sweep.add_argument("--test-size", type=_positive, default=DEFAULTS.test_size,
                       help=f"rows of the untouched test split for final accuracy (default {DEFAULTS.test_size})")
    sweep.add_argument("--epochs", type=_epochs, default=DEFAULTS.epochs,
                       help=f"passes over the training rows, fractions allowed (default {DEFAULTS.epochs:g})")
    sweep.add_argument("--batch-size", type=_positive, default=DEFAULTS.batch_size,
                       help=f"training batch size (default {DEFAULTS.batch_size})")
    sweep.add_argument("--seed", type=_seed, default=DEFAULTS.seed, help=f"seed for splits, init and order (default {DEFAULTS.seed})")
    sweep.add_argument("--keep-models", choices=("best", "all", "none"), default=DEFAULTS.keep_models,
                       help="which fine-tuned weights to keep: the best run's, every run's, or none (default best)")
    sweep.add_argument("--name", default="", help="a label for this sweep")
    sweep.add_argument("--artifacts", default=None, help=f"artifacts folder (default {default_root()})")

    runs = commands.add_parser("runs", help="list sweeps and their runs with metrics")
    runs.add_argument("--artifacts", default=None, help=f"artifacts folder (default {default_root()})")

    predict = commands.add_parser("predict", help="label and class probabilities for each text")
    predict.add_argument("texts", nargs="+", metavar="TEXT", help="text to classify (quote each one)")
    predict.add_argument("--run", default=None,
                         help="SWEEP_ID (its best run), SWEEP_ID/RUN_ID, or SWEEP_ID/untrained "
                              "(default: the best run of the latest sweep)")
    predict.add_argument("--fp32", action="store_true", help="use full precision instead of the int8 CPU model")
    predict.add_argument("--artifacts", default=None, help=f"artifacts folder (default {default_root()})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    store = ArtifactStore(args.artifacts)
    try:
        if args.command == "sweep":
            return _sweep(parser, args, store)
        if args.command == "runs":
            return _runs(store)
        return _predict(parser, args, store)
    except (ArtifactError, ValueError, ModelLoadError) as exc:  # e.g. --run names a run that kept no weights
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _sweep(parser: argparse.ArgumentParser, args: argparse.Namespace, store: ArtifactStore) -> int:
    from agnews_core.cli_output import ProgressBar, print_sweep_table
    from agnews_core.data import DataError, load_source, make_splits
    from agnews_core.models import model_problem
    from agnews_core.sweep import run_sweep

    try:
        config = SweepConfig(learning_rates=args.lrs, model=args.model, data=args.data, train_size=args.train_size,
                             eval_size=args.eval_size, test_size=args.test_size, epochs=args.epochs,
                             batch_size=args.batch_size, seed=args.seed, keep_models=args.keep_models, label=args.name)
        problem = model_problem(config.model)
        if problem:
            raise ValueError(problem)
        splits = make_splits(load_source(config.data), config)
    except (ValueError, DataError) as exc:
        parser.exit(2, f"python -m agnews_core sweep: error: {exc}\n")
    print(f"Data: {splits.description}", file=sys.stderr)
    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    bar = ProgressBar(sys.stderr)
    try:
        record = run_sweep(store, config, on_snapshot=bar.show, cancel=cancel)
    finally:
        signal.signal(signal.SIGINT, previous)
        bar.close()
    runs, _ = store.load_runs(record)
    print_sweep_table(record, runs, sys.stdout)
    print(f"Artifacts: {os.path.abspath(store.sweep_dir(record.sweep_id))}")
    return 0 if record.status.succeeded else 1


def _runs(store: ArtifactStore) -> int:
    from agnews_core.cli_output import print_runs_listing

    sweeps, broken = store.list_sweeps()
    print_runs_listing(store, sweeps, broken, sys.stdout)
    return 0


def _predict(parser: argparse.ArgumentParser, args: argparse.Namespace, store: ArtifactStore) -> int:
    from agnews_core.live_predict import DEFAULT_QUANTIZE, Predictor, TextError, default_run, parse_run_ref

    ref = parse_run_ref(store, args.run) if args.run else default_run(store)
    if ref is None:
        parser.exit(2, "python -m agnews_core predict: error: no run with saved weights yet: run a sweep first\n")
    predictor = Predictor.for_run(store, ref, quantize=DEFAULT_QUANTIZE and not args.fp32)
    print(f"Model: {ref.sweep_id}/{ref.run_id}{' (int8)' if predictor.quantized else ''}")
    status = 0
    for text in args.texts:
        try:
            result = predictor.predict(text)
        except TextError as exc:
            print(f"{text!r}: {exc}")
            status = 2
            continue
        probabilities = "  ".join(f"{name} {p:6.1%}" for name, p in zip(_labels(), result.probabilities, strict=True))
        note = " (text truncated)" if result.truncated else ""
        print(f"{result.label:<8} {result.confidence:6.1%}  [{probabilities}]  {result.latency_ms:.1f} ms{note}  {text[:80]!r}")
    return status


def _labels() -> tuple[str, ...]:
    from agnews_core.labels import LABELS

    return LABELS


def progress_line(progress: Progress) -> str:
    """One status line, e.g. 'Run 2/3 lr 1e-4 step 120/375 41 ex/s about 4 min left'."""
    parts = [f"Run {progress.run_index + 1}/{progress.run_count}" if progress.run_count else "", progress.message]
    if progress.examples_per_second:
        parts.append(f"{progress.examples_per_second:.0f} ex/s")
    if progress.eta_seconds is not None:
        parts.append(f"about {format_duration(progress.eta_seconds)} left")
    return "  ".join(p for p in parts if p)
