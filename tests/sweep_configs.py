"""Sweep configs for tests: importable by every conftest (a conftest module name is ambiguous)."""

from __future__ import annotations

from typing import Any

# Two optimizer steps and a handful of rows: a one-LR sweep on the tiny model takes about 3 s.
SMALL = dict(learning_rates=(1e-3,), train_size=32, eval_size=16, test_size=16, batch_size=16, evals_per_run=1)


def tiny_config(**overrides: Any) -> Any:
    """A sweep config that runs in seconds on the tiny model and the bundled sample."""
    from agnews_core.config.sweep_config import SweepConfig

    values = dict(learning_rates=(3e-3, 1e-3), model="tiny", data="sample", train_size=400, eval_size=100,
                  test_size=120, epochs=1.0, batch_size=16, seed=7, evals_per_run=2)
    values.update(overrides)
    return SweepConfig(**values)


def small_config(**overrides: Any) -> Any:
    """The smallest useful sweep config (tiny model, bundled sample); keyword overrides win."""
    return tiny_config(**{**SMALL, **overrides})
