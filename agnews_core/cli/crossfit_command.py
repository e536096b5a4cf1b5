"""`python -m agnews_core crossfit`: score a finished run's training rows out of sample with its own model and
settings, K folds, in the foreground (like `final`), so `suspects --method crossfit` can rank them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from agnews_core.config.sweep_config import EXECUTORS, RAY, SweepConfig
from agnews_core.store.artifact_store import ArtifactStore

PROG = "python -m agnews_core crossfit"


def add_crossfit_parser(commands: argparse._SubParsersAction, artifacts_help: str) -> None:
    """The `crossfit` command and its flags."""
    parser = commands.add_parser("crossfit", help="score a run's training rows out of sample with its own model "
                                                  "(K folds), for `suspects --method crossfit`")
    parser.add_argument("--sweep", required=True, metavar="SWEEP_ID", help="the sweep whose run to cross-fit")
    parser.add_argument("--run", default=None, metavar="RUN_ID", help="the run (default: the sweep's best run)")
    parser.add_argument("--folds", type=int, default=2, choices=(2, 3),
                        help="folds: each fold's model trains on the others and scores it (default 2)")
    parser.add_argument("--executor", default=None, choices=EXECUTORS,
                        help="where the fold models train: this machine's thread, or Ray trials at the sweep's "
                             "Ray address (default: where the sweep ran)")
    parser.add_argument("--artifacts", default=None, help=artifacts_help)


def crossfit_hint(sweep_id: str, run_id: str, folds: int = 2) -> str:
    """The command that starts a cross-fit of this run."""
    return f"python -m agnews_core crossfit --sweep {sweep_id} --run {run_id}" + (f" --folds {folds}" if folds != 2 else "")


def where(config: SweepConfig) -> str:
    """' on Ray (ADDRESS)' when the folds train as Ray trials, else nothing."""
    return f" on Ray ({config.ray_address})" if config.executor == RAY else ""


def run_crossfit_command(args: argparse.Namespace, store: ArtifactStore,
                         run_in_foreground: Callable[[ArtifactStore, SweepConfig], int]) -> int:
    """Plan (exit 2 with one line when it cannot be done), print the estimate, run with a progress bar."""
    from agnews_core.sweeps.crossfit import plan_crossfit
    from agnews_core.sweeps.progress import format_duration

    try:
        plan = plan_crossfit(store, args.sweep, args.run, args.folds, args.executor)
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    config = plan.config
    print(f"Cross-fit of {plan.sweep_id}/{plan.run_id}: {config.crossfit_folds} folds of its {plan.rows:,} training "
          f"rows, {config.model} at lr {config.learning_rates[0]:g} x {config.epochs:g} epoch(s), each fold scored "
          f"by a model trained on the others{where(config)}: about {format_duration(plan.estimate_seconds)}",
          file=sys.stderr)
    status = run_in_foreground(store, config)
    if status == 0:
        print(f"Ranked suspects: python -m agnews_core suspects --sweep {plan.sweep_id} --run {plan.run_id} "
              "--method crossfit")
    return status
