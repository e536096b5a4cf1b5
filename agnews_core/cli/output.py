"""Text rendering for the command line: a progress bar and results tables."""

from __future__ import annotations

import shutil
from typing import TextIO

from agnews_core.analysis.run_table import by_eval_loss
from agnews_core.store.artifact_store import ArtifactStore, BrokenEntry
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.progress import Progress, format_duration
from agnews_core.sweeps.snapshots import JobSnapshot


class ProgressBar:
    """A one-line bar rewritten in place on a terminal, plain lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last_message = ""

    def show(self, snapshot: JobSnapshot) -> None:
        """Draw a running sweep's snapshot (nothing before its first progress report)."""
        if snapshot.progress is not None:
            self.update(snapshot.progress)

    def update(self, progress: Progress) -> None:
        width = 24
        done = min(1.0, progress.step / progress.total_steps) if progress.total_steps else 0.0
        bar = "#" * int(done * width) + "-" * (width - int(done * width))
        head = f"[{progress.run_index + 1}/{progress.run_count}]" if progress.run_count else ""
        speed = f" {progress.examples_per_second:.0f} ex/s" if progress.examples_per_second else ""
        eta = f" ~{format_duration(progress.eta_seconds)} left" if progress.eta_seconds is not None else ""
        line = f"{head} {bar} {progress.message}{speed}{eta}"
        if self.tty:
            columns = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + line[: columns - 1].ljust(columns - 1))
            self.stream.flush()
        elif (progress.message != self.last_message and progress.phase != "training"
              or progress.total_steps and progress.step in (1, progress.total_steps)):
            self.stream.write(line + "\n")
        self.last_message = progress.message

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _loss(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def print_sweep_table(sweep: SweepRecord, runs: list[RunRecord], out: TextIO) -> None:
    """Runs sorted by eval loss (best marked '*'), then the baselines."""
    out.write(f"\nSweep {sweep.sweep_id}: {sweep.status}  ({sweep.model_description}; {sweep.data_description})\n")
    out.write("Best by eval loss on the validation rows is marked *.\n\n")
    header = f"  {'lr':>8}  {'status':<10} {'eval loss':>9} {'val acc':>8} {'test acc':>8} {'test F1':>8} {'train ex/s':>10}"
    out.write(header + "\n")
    ordered = by_eval_loss(runs)
    for run in ordered:
        mark = "*" if run.run_id == sweep.best_run_id else " "
        val = run.validation.accuracy if run.validation else None
        test = run.test.accuracy if run.test else None
        f1 = run.test.macro_f1 if run.test else None
        out.write(f"{mark} {run.lr_label:>8}  {run.status:<10} {_loss(run.final_eval_loss):>9} {_pct(val):>8} "
                  f"{_pct(test):>8} {_pct(f1):>8} {run.train_examples_per_second:>10.1f}\n")
        if run.error:
            out.write(f"{'':12}{run.error}\n")
    for name, metrics in sweep.baselines.items():
        out.write(f"  baseline {name}: test acc {_pct(metrics.accuracy)}, macro-F1 {_pct(metrics.macro_f1)}\n")
    if sweep.best_by_accuracy_run_id and sweep.best_by_accuracy_run_id != sweep.best_run_id:
        out.write(f"  note: best by validation accuracy is {sweep.best_by_accuracy_run_id}\n")


def print_runs_listing(store: ArtifactStore, sweeps: list[SweepRecord], broken: list[BrokenEntry], out: TextIO) -> None:
    """Every sweep, newest first, with one line per run."""
    if not sweeps and not broken:
        out.write(f"No sweeps in {store.root.resolve()} yet: run `python -m agnews_core sweep`.\n")
    for sweep in sweeps:
        out.write(f"{sweep.sweep_id}  {sweep.status:<18} {sweep.created_at}  model={sweep.config.model}  "
                  f"train={sweep.config.train_size} epochs={sweep.config.epochs:g}\n")
        runs, broken_runs = store.load_runs(sweep)
        for run in runs:
            mark = "*" if run.run_id == sweep.best_run_id else " "
            test = run.test.accuracy if run.test else None
            out.write(f"  {mark} {run.run_id:<18} {run.status:<11} eval loss {_loss(run.final_eval_loss):>7}  "
                      f"test acc {_pct(test):>6}  model {'kept' if store.has_model(sweep.sweep_id, run.run_id) else '-'}\n")
        for entry in broken_runs:
            out.write(f"    unreadable run {entry.path}: {entry.problem}\n")
    for entry in broken:
        out.write(f"unreadable sweep {entry.path}: {entry.problem}\n")
