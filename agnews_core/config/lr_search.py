"""Learning rates to try: a list, or N draws from a log-uniform range (seeded, so a sweep can be rerun)."""

from __future__ import annotations

import math
import random

MAX_RANGE_TRIALS = 12


def parse_range(text: str) -> tuple[float, float]:
    """'1e-5..1e-3' -> (1e-5, 1e-3); ValueError saying what is wrong."""
    low, sep, high = str(text or "").partition("..")
    if not sep:
        raise ValueError(f"learning-rate range {text!r} needs two ends: write e.g. 1e-5..1e-3")
    try:
        bounds = float(low.strip()), float(high.strip())
    except ValueError:
        raise ValueError(f"learning-rate range {text!r}: both ends must be numbers such as 1e-5..1e-3") from None
    validate_range(*bounds)
    return bounds


def validate_range(low: float, high: float) -> None:
    """Raise ValueError unless 0 < low < high <= 1, both finite."""
    if not (math.isfinite(low) and math.isfinite(high)) or not 0 < low < high <= 1:
        raise ValueError(f"learning-rate range {low:g}..{high:g} must satisfy 0 < low < high <= 1")


def log_uniform(low: float, high: float, count: int, seed: int) -> tuple[float, ...]:
    """count distinct learning rates drawn log-uniformly from [low, high], sorted, 3 significant digits."""
    validate_range(low, high)
    if not 1 <= count <= MAX_RANGE_TRIALS:
        raise ValueError(f"range trials must be between 1 and {MAX_RANGE_TRIALS}, got {count}")
    rng = random.Random(seed)
    drawn: set[float] = set()
    for _ in range(count * 100):  # rounding can repeat a value in a narrow range: draw again
        if len(drawn) == count:
            break
        drawn.add(float(f"{math.exp(rng.uniform(math.log(low), math.log(high))):.3g}"))
    if len(drawn) < count:
        raise ValueError(f"the range {low:g}..{high:g} is too narrow for {count} distinct learning rates")
    return tuple(sorted(drawn))
