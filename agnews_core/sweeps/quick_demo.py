"""The "quick demo model": a MiniLM fine-tuned on a small slice of the bundled sample, for a live demo in minutes.

One learning rate (1e-4 reached 89.9 % on 3,000 rows, measured), 2,000 train rows of the bundled sample (no Hub
round trip), one epoch at the default batch size, two eval points, 500 test rows for its accuracy; measured by
`python -m bench.quick_demo` (bench/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from agnews_core.config.sweep_config import MINILM, KeepModels, SweepConfig
from agnews_core.sweeps.snapshots import JobSnapshot

QUICK_DEMO_NAME = "quick demo model"
QUICK_DEMO_LR = 1e-4
TARGET_SECONDS = 120.0  # the goal: a fine-tuned model within 2 minutes on 2 cores


def quick_demo_config(data: str = "sample", available: dict[str, int] | None = None) -> SweepConfig:
    """The quick demo sweep: one LR, 2,000 train rows of a data set (the bundled sample by default; fewer when the
    data set has fewer, as `available_sizes` gives them), one epoch, weights kept."""
    sizes = {"train": 2000, "eval": 200, "test": 500}
    if available:
        sizes = {split: max(1, min(rows, available[split])) for split, rows in sizes.items()}
    return SweepConfig(learning_rates=(QUICK_DEMO_LR,), model=MINILM, data=data, train_size=sizes["train"],
                       eval_size=sizes["eval"], test_size=sizes["test"], epochs=1.0, evals_per_run=2,
                       keep_models=KeepModels.BEST, label=QUICK_DEMO_NAME)


def is_quick_demo(config: SweepConfig) -> bool:
    """Whether a sweep was started as the quick demo model."""
    return config.label == QUICK_DEMO_NAME and not config.final_of


def active_quick_demo(jobs: Iterable[JobSnapshot]) -> JobSnapshot | None:
    """The newest quick demo sweep that is queued or running, if any."""
    return next((job for job in jobs if is_quick_demo(job.sweep.config) and job.sweep.status.is_active), None)
