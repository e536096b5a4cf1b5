"""Final training: the learning rate a sweep chose, retrained on train + validation rows, scored on the whole test split.

The notebook picked its learning rate "for final training and evaluation". A final training is stored and run as
a one-run sweep whose config names the sweep it came from (`final_of`), so it gets the job manager's queue,
progress, ETA, cancel and every result page for free.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from agnews_core.config.sweep_config import KeepModels, SweepConfig
from agnews_core.data.sources import SourceData, load_source
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore
from agnews_core.sweeps.estimate import estimate_seconds

FINAL_EVAL_ROWS = 500  # held out of the final training only to draw its eval-loss curve
FINAL_EPOCHS = 1.0  # with several times the sweep's rows, one pass is the usual choice (bench/README.md)


@dataclass(frozen=True)
class FinalPlan:
    """What a final training of a sweep would do, before it starts."""

    config: SweepConfig
    source_description: str
    max_train_rows: int  # every train row of the data but the held-out eval rows
    estimate_seconds: float  # expected wall time on this machine, as the job manager will record it


def final_eval_rows(source: SourceData) -> int:
    """Rows held out for the eval curve: 500, or a fifth of a small data set (at least one per class)."""
    return min(FINAL_EVAL_ROWS, max(source.labels.size, len(source.train) // 5))


def max_final_train_rows(source: SourceData) -> int:
    """Train rows a final training may use."""
    return len(source.train) - final_eval_rows(source)


def plan_final_training(store: ArtifactStore, sweep_id: str, train_size: int | None = None,
                        epochs: float | None = None) -> FinalPlan:
    """The config of a final training of a finished sweep's best learning rate; ValueError says what is wrong."""
    sweep = store.load_sweep(sweep_id)
    if sweep.config.final_of:
        raise ValueError(f"{sweep_id} is itself a final training: pick the sweep it came from ({sweep.config.final_of})")
    if sweep.config.crossfit_of:
        raise ValueError(f"{sweep_id} is a cross-fit (of {sweep.config.crossfit_of}): pick a sweep")
    if not sweep.best_run_id:
        raise ValueError(f"sweep {sweep_id} has no finished run to take a learning rate from")
    try:
        best = store.load_run(sweep_id, sweep.best_run_id)
    except ArtifactError as exc:
        raise ValueError(f"the best run of {sweep_id} cannot be read: {exc}") from None
    data = sweep.dataset_id or sweep.config.data  # a registered data set: the very version the sweep read
    source = load_source(data, store.root)
    limit = max_final_train_rows(source)
    rows = limit if train_size is None else train_size
    if not 1 <= rows <= limit:
        raise ValueError(f"train rows must be between 1 and {limit:,} for {source.description}, got {rows:,}")
    config = replace(
        sweep.config, data=data, learning_rates=(best.learning_rate,), train_size=rows, eval_size=final_eval_rows(source),
        test_size=len(source.test), epochs=FINAL_EPOCHS if epochs is None else epochs, keep_models=KeepModels.BEST,
        final_of=sweep_id, label=f"final training of {sweep.config.label or sweep_id}"[:200],
    )
    return FinalPlan(config, source.description, limit, estimate_seconds(store.root, config))
