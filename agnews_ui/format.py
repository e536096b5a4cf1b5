"""Words and numbers on screen: states, percentages, progress lines, sweep names."""

from __future__ import annotations

from agnews_core.config.sweep_config import format_lr
from agnews_core.store.records import SweepRecord
from agnews_core.sweeps.progress import Progress, format_duration

STATE_BADGES: dict[str, tuple[str, str]] = {
    "queued": ("gray", ":material/schedule:"),
    "running": ("blue", ":material/progress_activity:"),
    "done": ("green", ":material/check_circle:"),
    "done with failures": ("orange", ":material/warning:"),
    "failed": ("red", ":material/error:"),
    "cancelled": ("gray", ":material/cancel:"),
    "interrupted": ("orange", ":material/report:"),
    "pending": ("gray", ":material/schedule:"),
    "skipped": ("gray", ":material/skip_next:"),
    "stopped early": ("violet", ":material/content_cut:"),
}


def pct(value: float | None) -> str:
    """0.8982 -> '89.8%'; None -> '–'."""
    return "–" if value is None else f"{value * 100:.1f}%"


def sweep_title(sweep: SweepRecord) -> str:
    """'Sweep 20261126-143015 · minilm · 3 LRs' plus the analyst's name, or 'final training of <sweep>'."""
    lrs = ", ".join(format_lr(x) for x in sweep.config.learning_rates)
    name = f" · {sweep.config.label}" if sweep.config.label else ""
    if sweep.config.final_of and not sweep.config.label.startswith("final training of"):
        name = f" · final training of {sweep.config.final_of}{name}"
    return f"{sweep.sweep_id}{name} · {sweep.config.model} · lr {lrs}"


def executor_label(config: object) -> str:
    """'on Ray (local)' for a Ray sweep; '' for this machine's thread, the default."""
    if getattr(config, "executor", "thread") != "ray":
        return ""
    return f"on Ray ({getattr(config, 'ray_address', 'local')})"


def sweep_kind(sweep: SweepRecord) -> str:
    """'Final training of sweep <id>', 'Cross-fit of run <sweep>/<run> (2 folds)', else 'Sweep'."""
    if sweep.config.crossfit_of:
        return (f"Cross-fit of run {sweep.config.crossfit_of} ({sweep.config.crossfit_folds} folds; each run's test rows "
                "are the training rows it held out)")
    return f"Final training of sweep {sweep.config.final_of}" if sweep.config.final_of else "Sweep"


def progress_text(progress: Progress) -> str:
    """'Run 2 of 3: lr 1e-4, step 120/375, 41 ex/s, about 4 min left'."""
    if progress.phase == "training" and progress.total_steps:
        parts = [f"Run {progress.run_index + 1} of {progress.run_count}: lr {format_lr(progress.learning_rate or 0)}",
                 f"step {progress.step}/{progress.total_steps}"]
        if progress.examples_per_second:
            parts.append(f"{progress.examples_per_second:.0f} ex/s")
        if progress.eta_seconds is not None:
            parts.append(f"about {format_duration(progress.eta_seconds)} left")
        return ", ".join(parts)
    prefix = f"Run {progress.run_index + 1} of {progress.run_count}: " if progress.phase in ("evaluating", "saving") else ""
    return prefix + progress.message


def progress_fraction(progress: Progress | None) -> float:
    """Overall completion of a sweep in [0, 1] from its current run and step."""
    if progress is None or not progress.run_count:
        return 0.0
    within = progress.step / progress.total_steps if progress.total_steps else 0.0
    if progress.phase in ("evaluating", "saving"):
        within = 1.0
    if progress.phase == "finished":
        return 1.0
    return min(1.0, (progress.run_index + within) / progress.run_count)


def escape_markdown(text: str) -> str:
    """User text made inert for st.markdown (no links, emphasis or headings)."""
    special = "\\`*_{}[]()#+-.!|<>~$:"
    return "".join(f"\\{ch}" if ch in special else ch for ch in text)


def elapsed_seconds(started_at: str, finished_at: str) -> float | None:
    """Seconds between two ISO timestamps written by the core; None when either is missing."""
    from datetime import datetime

    if not started_at or not finished_at:
        return None
    try:
        return (datetime.fromisoformat(finished_at) - datetime.fromisoformat(started_at)).total_seconds()
    except ValueError:
        return None
