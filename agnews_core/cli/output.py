"""Text rendering for the command line: a progress bar and results tables."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from typing import TextIO

from agnews_core.analysis.run_table import by_eval_loss
from agnews_core.store.artifact_store import ArtifactStore, BrokenEntry
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.progress import Progress, format_duration
from agnews_core.sweeps.snapshots import JobSnapshot

LOG_INTERVAL_SECONDS = 15.0  # a log file hears from a running sweep at least this often


class ProgressBar:
    """A one-line bar rewritten in place on a terminal; elsewhere (a log file) plain lines.

    Plain lines come at each new phase, each run's first and last step, the first ETA of a run, and at least every
    LOG_INTERVAL_SECONDS while it runs: between reports (a long step, an evaluation) the heartbeat repeats where the
    sweep is. Use it as a context manager to run the heartbeat.
    """

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic,
                 interval: float = LOG_INTERVAL_SECONDS) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.clock = clock
        self.interval = interval
        self.last_message = ""
        self.had_eta = False
        self.latest = ""  # the newest line reported, written or not
        self.changed_at = self.written_at = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def __enter__(self) -> ProgressBar:
        if not self.tty:
            self._heartbeat = threading.Thread(target=self._beat, name="progress-heartbeat", daemon=True)
            self._heartbeat.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def show(self, snapshot: JobSnapshot) -> None:
        """Draw a running sweep's snapshot (nothing before its first progress report)."""
        if snapshot.progress is not None:
            self.update(snapshot.progress)

    def update(self, progress: Progress) -> None:
        line = progress_line(progress)
        with self._lock:
            now = self.clock()
            if self.tty:
                columns = shutil.get_terminal_size((100, 20)).columns
                self.stream.write("\r" + line[: columns - 1].ljust(columns - 1))
                self.stream.flush()
            elif line != self.latest:  # snapshots also come for curve points: the same line is not news
                self.latest, self.changed_at = line, now
                if self._due(progress, now):
                    self._write(line, now)
            self.last_message = progress.message
            self.had_eta = progress.eta_seconds is not None

    def tick(self) -> None:
        """Off a terminal: when nothing was written for an interval, write where the sweep is now."""
        with self._lock:
            now = self.clock()
            if self.tty or not self.latest or now - self.written_at < self.interval:
                return
            stalled = now - self.changed_at >= self.interval  # a long step or an evaluation: say it is not stuck
            self._write(f"{self.latest} (still at it after {format_duration(now - self.changed_at)})"
                        if stalled else self.latest, now)

    def close(self) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
            self._heartbeat = None
        if self.tty:
            self.stream.write("\n")

    def _due(self, progress: Progress, now: float) -> bool:
        if progress.phase != "training" or not progress.total_steps:
            return progress.message != self.last_message
        first_eta = progress.eta_seconds is not None and not self.had_eta
        return progress.step in (1, progress.total_steps) or first_eta or now - self.written_at >= self.interval

    def _write(self, text: str, now: float) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
        self.written_at = now

    def _beat(self) -> None:
        while not self._stop.wait(1.0):
            self.tick()


def progress_line(progress: Progress) -> str:
    """'[1/2] ######------ lr 1e-3: step 40/160 41 ex/s ~4 min left' (speed and ETA once known)."""
    width = 24
    done = min(1.0, progress.step / progress.total_steps) if progress.total_steps else 0.0
    bar = "#" * int(done * width) + "-" * (width - int(done * width))
    head = f"[{progress.run_index + 1}/{progress.run_count}]" if progress.run_count else ""
    speed = f" {progress.examples_per_second:.0f} ex/s" if progress.examples_per_second else ""
    eta = f" ~{format_duration(progress.eta_seconds)} left" if progress.eta_seconds is not None else ""
    return f"{head} {bar} {progress.message}{speed}{eta}"


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
        reused = f" (reused from sweep {sweep.baselines_reused[name]})" if name in sweep.baselines_reused else ""
        out.write(f"  baseline {name}: test acc {_pct(metrics.accuracy)}, macro-F1 {_pct(metrics.macro_f1)}{reused}\n")
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
