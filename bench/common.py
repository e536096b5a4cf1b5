"""Shared helpers for the benchmarks: real texts, the MiniLM, timing, percentiles, table and JSON output."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]
# The real AG News copy (57k train rows, official test split) in the shared folder next to the repository;
# $AGNEWS_BENCH_DATA overrides it, and without either the benchmarks fall back to the bundled sample.
DATA_DIR = Path(os.environ.get("AGNEWS_BENCH_DATA") or REPO_ROOT / ".." / "shared" / "data" / "ag_news")


def data_spec() -> str:
    """The data source the benchmarks read: the real folder when present, else 'sample'."""
    return str(DATA_DIR) if DATA_DIR.is_dir() else "sample"


def load_split(split: str, size: int, seed: int = 0) -> pd.DataFrame:
    """size rows (text, label) of the 'train' or 'test' split, shuffled with seed."""
    from agnews_core.data.sources import load_source

    source = load_source(data_spec())
    frame = source.train if split == "train" else source.test
    return frame.sample(n=min(size, len(frame)), random_state=seed).reset_index(drop=True)


def load_minilm(seed: int = 42) -> Any:
    """A fresh MiniLM classifier (agnews_core.modeling.models.LoadedModel)."""
    from agnews_core.modeling.models import load_pretrained

    return load_pretrained("minilm", seed)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence."""
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float) -> float:
    """q-th percentile (0-100) with linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of an empty sequence")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(ours: float, baseline: float) -> float:
    """ours / baseline, rounded; inf when baseline is 0."""
    return round(ours / baseline, 3) if baseline else float("inf")


def machine() -> str:
    """CPU model and core count, as lscpu reports them."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical CPUs"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned text table on stdout."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def emit_json(name: str, **numbers: Any) -> None:
    """The one machine-readable final line of a benchmark."""
    load = [round(x, 2) for x in os.getloadavg()]  # > 2 on 2 cores: other processes competed for the CPU
    print(json.dumps({"bench": name, "machine": machine(), "load_average_1_5_15m": load, **numbers}, default=float),
          flush=True)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    return str(value)


def quiet_transformers() -> None:
    """Silence transformers' info/warning chatter and progress bars in benchmark output."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    import datasets

    datasets.disable_progress_bars()


def python() -> str:
    """The interpreter running this benchmark (the project's venv when started from it)."""
    return sys.executable
