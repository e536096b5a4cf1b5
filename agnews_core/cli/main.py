"""Command line: `python -m agnews_core sweep|final|crossfit|cluster|runs|predict|data|suspects|verdicts`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from agnews_core.cli.crossfit_command import add_crossfit_parser, run_crossfit_command
from agnews_core.cli.data_commands import add_data_parser, run_data
from agnews_core.cli.suspects_command import add_suspects_parser, run_suspects
from agnews_core.cli.verdicts_command import add_verdicts_parser, run_verdicts
from agnews_core.config.fields import FieldInfo, limits_text
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.modeling.models import ModelLoadError
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore, default_root
from agnews_core.sweeps.request import exposed_fields, validate_request


class CleanParser(argparse.ArgumentParser):
    """Bad flags exit 2 with one line, no usage dump and no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _help(info: FieldInfo) -> str:
    """A flag's help from its field's metadata: text, choices, limits and default."""
    parts = [info.help.rstrip(".")]
    named = "; ".join(f"'{c.value}': {c.label}" for c in info.choices if c.label != c.value)
    if info.other:
        named = f"{named}; or {info.other.what}"
    parts += [text for text in (named, limits_text(info)) if text]
    shown = info.shown(info.default)
    return (f"{'; '.join(parts)}" + (f" (default {shown})" if shown else "")).replace("%", "%%")


def build_parser() -> argparse.ArgumentParser:
    """The parser for all three commands."""
    parser = CleanParser(prog="python -m agnews_core", description="AG News Lab: fine-tune and review a news topic classifier.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CleanParser)

    sweep = commands.add_parser("sweep", help="fine-tune one fresh model per learning rate; pick the best by eval loss")
    for info in exposed_fields():  # each flag is read as text; validate_request parses and checks it
        closed = info.choices and not info.other
        metavar = "{" + ",".join(info.values) + "}" if closed else info.cli_flag.lstrip("-").replace("-", "_").upper()
        sweep.add_argument(info.cli_flag, dest=info.name, metavar=metavar, help=_help(info))
    sweep.add_argument("--from", dest="from_sweep", metavar="SWEEP_ID", default=None,
                       help="run a recorded sweep again with its exact settings (flags given here override them)")
    sweep.add_argument("--artifacts", default=None, help=f"artifacts folder (default {default_root()})")

    final = commands.add_parser("final", help="retrain a sweep's best learning rate on train + validation rows and "
                                              "score the whole official test split")
    final.add_argument("--sweep", required=True, metavar="SWEEP_ID", help="the finished sweep whose best LR to use")
    final.add_argument("--train-size", type=int, default=None, metavar="N",
                       help="training rows (default: every train row but 500 held out for the eval-loss curve)")
    final.add_argument("--epochs", type=float, default=None, metavar="F", help="passes over the rows (default 1)")
    final.add_argument("--artifacts", default=None, help=f"artifacts folder (default {default_root()})")

    cluster = commands.add_parser("cluster", help="check a Ray cluster: nodes, CPUs, GPUs (free) and Ray version")
    cluster.add_argument("--ray-address", default="local", metavar="ADDRESS",
                         help="'local', 'auto', 'host:6379' or 'ray://host:10001' (default local)")
    cluster.set_defaults(artifacts=None)

    runs = commands.add_parser("runs", help="list sweeps and their runs with metrics")
    runs.add_argument("--artifacts", default=None, help=f"artifacts folder (default {default_root()})")

    predict = commands.add_parser("predict", help="label and class probabilities for each text")
    predict.add_argument("texts", nargs="+", metavar="TEXT", help="text to classify (quote each one)")
    predict.add_argument("--run", default=None,
                         help="SWEEP_ID (its best run), SWEEP_ID/RUN_ID, or SWEEP_ID/untrained "
                              "(default: the best run of the latest sweep)")
    predict.add_argument("--fp32", action="store_true", help="use full precision instead of the variant chosen for the run (fp32, int8, bf16, onnx-fp32 or onnx-int8)")
    predict.add_argument("--artifacts", default=None, help=f"artifacts folder (default {default_root()})")
    add_data_parser(commands, f"artifacts folder (default {default_root()})")
    add_suspects_parser(commands, f"artifacts folder (default {default_root()})")
    add_crossfit_parser(commands, f"artifacts folder (default {default_root()})")
    add_verdicts_parser(commands, f"artifacts folder (default {default_root()})")
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
        if args.command == "final":
            return _final(parser, args, store)
        if args.command == "runs":
            return _runs(store)
        if args.command == "cluster":
            return _cluster(args.ray_address)
        if args.command == "data":
            return run_data(args, store)
        if args.command == "suspects":
            return run_suspects(args, store)
        if args.command == "crossfit":
            return run_crossfit_command(args, store, _run_in_foreground)
        if args.command == "verdicts":
            return run_verdicts(args, store)
        return _predict(parser, args, store)
    except (ArtifactError, ValueError, ModelLoadError) as exc:  # e.g. --run names a run that kept no weights
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _sweep(parser: argparse.ArgumentParser, args: argparse.Namespace, store: ArtifactStore) -> int:
    typed = {info.name: getattr(args, info.name) for info in exposed_fields() if getattr(args, info.name) is not None}
    if args.from_sweep:  # the recorded settings, each shown as a user would type it, under any flags given now
        recorded = store.load_sweep(args.from_sweep).config
        typed = {**{info.name: info.shown(getattr(recorded, info.name)) for info in exposed_fields()}, **typed}
    request = validate_request(typed, store.root)  # registered data set names resolve under --artifacts
    if request.config is None:
        flags = {info.name: info.cli_flag for info in exposed_fields()}
        lines = (f"{parser.prog} sweep: error: {flags[name] + ': ' if name in flags else ''}{message}"
                 for name, message in request.errors.items())
        parser.exit(2, "\n".join(lines) + "\n")
    print(f"Data: {request.data_note}", file=sys.stderr)
    print(_estimate_line(store, request.config), file=sys.stderr)
    return _run_in_foreground(store, request.config)


def _estimate_line(store: ArtifactStore, config: SweepConfig) -> str:
    """'Estimate: about 12 min for 3 learning rates x 8,000 rows x 1 epoch(s), ...' and what it rests on."""
    from agnews_core.sweeps.estimate import estimate_sweep_seconds, load_throughput
    from agnews_core.sweeps.progress import format_duration

    throughput = load_throughput(store.root, config.model)
    seconds = estimate_sweep_seconds(config, throughput)
    basis = "speeds measured on this machine" if throughput.measured else "first-guess speeds, nothing measured here yet"
    count = len(config.learning_rates)
    return (f"Estimate: about {format_duration(seconds)} for {count} learning rate{'s' if count > 1 else ''} x "
            f"{config.train_size:,} rows x {config.epochs:g} epoch(s), scored on {config.test_size:,} test rows "
            f"({basis})")


def _final(parser: argparse.ArgumentParser, args: argparse.Namespace, store: ArtifactStore) -> int:
    from agnews_core.sweeps.final_training import plan_final_training
    from agnews_core.sweeps.progress import format_duration

    try:
        plan = plan_final_training(store, args.sweep, args.train_size, args.epochs)
    except ValueError as exc:
        parser.exit(2, f"{parser.prog} final: error: {exc}\n")
    config = plan.config
    print(f"Final training of lr {config.learning_rates[0]:g} on {config.train_size:,} rows x {config.epochs:g} "
          f"epoch(s), scored on all {config.test_size:,} test rows ({plan.source_description}): "
          f"about {format_duration(plan.estimate_seconds)}", file=sys.stderr)
    return _run_in_foreground(store, config)


def _run_in_foreground(store: ArtifactStore, config: SweepConfig) -> int:
    """Run a sweep in this process (its trials on Ray when it asks) with a progress bar; Ctrl-C cancels it and
    keeps what finished."""
    from agnews_core.access.guard import audited
    from agnews_core.access.identity import LOCAL_USER
    from agnews_core.cli.output import ProgressBar, print_sweep_table
    from agnews_core.sweeps.crossfit import run_crossfit
    from agnews_core.sweeps.executors.ray_cluster import ClusterError
    from agnews_core.sweeps.executors.ray_executor import RAY, RayExecutor
    from agnews_core.sweeps.jobs import submit_action
    from agnews_core.sweeps.runner import create_sweep, run_sweep

    executor = RayExecutor(store) if config.executor == RAY else None
    if executor is not None:
        try:
            print(f"Ray: {executor.check(config).describe()}", file=sys.stderr)
        except ClusterError as exc:  # before anything is written
            print(f"error: {exc}", file=sys.stderr)
            return 2
    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    try:
        # The local user's job, in the same audit log as the app's: a server's admin sees command-line work too.
        with (audited(LOCAL_USER, submit_action(config), config.label or config.data, store.root) as step,
              ProgressBar(sys.stderr) as bar):
            if executor is not None:
                sweep = create_sweep(store, config, pid=os.getpid())
                record = executor.run(sweep.sweep_id, bar.show, cancel)
            elif config.crossfit_of:
                record = run_crossfit(store, config, on_snapshot=bar.show, cancel=cancel)
            else:
                record = run_sweep(store, config, on_snapshot=bar.show, cancel=cancel)
            step.target, step.detail = record.sweep_id, f"command line: {record.status}"
    finally:
        signal.signal(signal.SIGINT, previous)
    runs, _ = store.load_runs(record)
    print_sweep_table(record, runs, sys.stdout)
    if record.corrections is not None:
        print(f"Corrections: {record.corrections.describe()}")
    print(f"Artifacts: {os.path.abspath(store.sweep_dir(record.sweep_id))}")
    return 0 if record.status.succeeded else 1


def _cluster(address: str) -> int:
    from agnews_core.sweeps.executors.ray_cluster import ClusterError, check_cluster

    try:
        print(f"Ray at {address}: {check_cluster(address).describe()}")
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _runs(store: ArtifactStore) -> int:
    from agnews_core.cli.output import print_runs_listing

    sweeps, broken = store.list_sweeps()
    print_runs_listing(store, sweeps, broken, sys.stdout)
    return 0


def _predict(parser: argparse.ArgumentParser, args: argparse.Namespace, store: ArtifactStore) -> int:
    from agnews_core.serving.predictor import (
        DEFAULT_VARIANT,
        InferenceVariant,
        Predictor,
        TextError,
        default_run,
        parse_run_ref,
        recorded_variant,
    )

    ref = parse_run_ref(store, args.run) if args.run else default_run(store)
    if ref is None:
        parser.exit(2, "python -m agnews_core predict: error: no run with saved weights yet: run a sweep first\n")
    predictor = Predictor.for_run(store, ref, variant=InferenceVariant.FP32 if args.fp32 else DEFAULT_VARIANT)
    how = "asked for" if args.fp32 else "chosen by measurement" if recorded_variant(store, ref) else "no choice recorded"
    print(f"Model: {ref.sweep_id}/{ref.run_id} ({predictor.variant}, {how})")
    status = 0
    for text in args.texts:
        try:
            result = predictor.predict(text)
        except TextError as exc:
            print(f"{text!r}: {exc}")
            status = 2
            continue
        probabilities = "  ".join(f"{name} {p:6.1%}" for name, p in result.ranked(10))
        note = " (text truncated)" if result.truncated else ""
        print(f"{result.label:<8} {result.confidence:6.1%}  [{probabilities}]  {result.latency_ms:.1f} ms{note}  {text[:80]!r}")
    return status
