"""How long a sweep will take, from throughput measured on this machine."""

from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path

from agnews_core.config.precision import CPUINFO, parse_cpuinfo
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.store.artifact_store import atomic_write_json
from agnews_core.store.layout import ArtifactPaths

logger = logging.getLogger(__name__)

# First guesses (examples/s on 2 CPU cores: MiniLM batch 8 trained at 42 and predicted at 170-220 in
# bench/README.md), replaced by what each sweep measures.
DEFAULT_THROUGHPUT: dict[str, tuple[float, float]] = {"minilm": (40.0, 180.0), "tiny": (900.0, 3000.0)}
# MiniLM's first guess where the CPU does bf16 natively (precision auto trains in bf16 there), from the default sweep
# on 2 cores (bench/README §13): AMX 86 trained / 468 predicted; AVX512-BF16 without AMX (Zen 4) 49 trained.
MINILM_BF16_THROUGHPUT = {"amx_bf16": (85.0, 460.0), "avx512_bf16": (48.0, 180.0)}
UNKNOWN_MODEL_THROUGHPUT = (9.0, 30.0)  # a DistilBERT-sized model
MODEL_LOAD_SECONDS = 3.0
DATA_LOAD_SECONDS = 1.0  # reading the 57k-row parquet folder and splitting took 0.5-1 s
TFIDF_SECONDS_PER_TRAIN_ROW = 1.25e-3  # the TF-IDF baseline fit took 6.4 s on 5,120 rows, 0.47 s on 300 (lbfgs)
# Trainer.evaluate (unsorted batches of 64, plus the loss) ran 83 rows/s where predict_probabilities ran 170-220.
TRAINER_EVAL_SLOWDOWN = 2.2
# The most optimizer steps a recorded training speed stands for: about one default sweep's worth, so a new sweep
# of that size moves it halfway and a change of machine or load shows within a sweep or two.
REMEMBERED_STEPS = 2000


@dataclass(frozen=True)
class Throughput:
    """Examples per second for training and for inference of one model."""

    train: float
    inference: float
    measured: bool


def load_throughput(root: Path, model: str) -> Throughput:
    """Measured throughput of a model on this machine, or a first guess."""
    try:
        table = json.loads(ArtifactPaths(root).throughput_file.read_text())
        train, inference = table[model]["train"], table[model]["inference"]
        if train > 0 and inference > 0:
            return Throughput(float(train), float(inference), True)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    train, inference = first_guess(model, cpu_flags())
    return Throughput(train, inference, False)


def first_guess(model: str, flags: tuple[str, ...]) -> tuple[float, float]:
    """(train, inference) examples/s to expect before anything was measured here, for a CPU with these flags."""
    if model == "minilm":
        for flag, speeds in MINILM_BF16_THROUGHPUT.items():
            if flag in flags:
                return speeds
    return DEFAULT_THROUGHPUT.get(model, UNKNOWN_MODEL_THROUGHPUT)


@functools.cache
def cpu_flags() -> tuple[str, ...]:
    """This CPU's recorded flags (read once; none known where /proc/cpuinfo is missing)."""
    try:
        return parse_cpuinfo(CPUINFO.read_text(encoding="utf-8", errors="replace"))[1]
    except OSError:
        return ()


def pooled_train_rate(stored: float, stored_steps: int, measured: float, steps: int) -> tuple[float, int]:
    """Training speed merged by the optimizer steps behind each (a 25-step run barely moves a 2,000-step one).

    The pooled weight stops at REMEMBERED_STEPS, so what this machine does now keeps counting. A stored rate with
    no steps (written before they were counted) or a measurement of unknown length (steps 0) is replaced.
    """
    if stored_steps <= 0 or steps <= 0:
        return measured, max(steps, 0)
    stored_steps = min(stored_steps, REMEMBERED_STEPS)
    pooled = (stored * stored_steps + measured * steps) / (stored_steps + steps)
    return pooled, min(stored_steps + steps, REMEMBERED_STEPS)


def _stored_train(entry: object) -> tuple[float, int]:
    """A stored entry's training speed and steps; (0, 0) when it is missing or unreadable."""
    try:
        train, steps = float(entry["train"]), int(entry.get("train_steps", 0))  # type: ignore[index, union-attr]
    except (KeyError, TypeError, ValueError, AttributeError):
        return 0.0, 0
    return (train, steps) if train > 0 and math.isfinite(train) else (0.0, 0)


def record_throughput(root: Path, model: str, train: float, inference: float, steps: int = 0) -> None:
    """Remember a model's measured throughput: training pooled by steps (pooled_train_rate), inference latest."""
    if not (train > 0 and inference > 0 and math.isfinite(train) and math.isfinite(inference)):
        return
    path = ArtifactPaths(root).throughput_file
    try:
        table = json.loads(path.read_text())
        if not isinstance(table, dict):
            table = {}
    except (OSError, ValueError):
        table = {}
    train, steps = pooled_train_rate(*_stored_train(table.get(model)), train, steps)
    table[model] = {"train": round(train, 2), "inference": round(inference, 2), "train_steps": steps}
    try:
        atomic_write_json(path, table)
    except OSError as exc:
        logger.warning("could not record throughput in %s: %s", path, exc)


def remaining_run_seconds(config: SweepConfig, throughput: Throughput, done_fraction: float = 0.0) -> float:
    """Seconds left in one run at done_fraction of its training: training, evaluations, final predictions."""
    steps = math.ceil(math.ceil(config.train_size / config.batch_size) * config.epochs)
    left = 1.0 - min(max(done_fraction, 0.0), 1.0)
    evals = min(config.evals_per_run, steps) * left
    trainer_eval_rows = evals * config.eval_size * TRAINER_EVAL_SLOWDOWN
    prediction_rows = config.eval_size + config.test_size
    load = MODEL_LOAD_SECONDS if done_fraction == 0.0 else 0.0
    return (load + config.train_size * config.epochs * left / throughput.train
            + (trainer_eval_rows + prediction_rows) / throughput.inference)


def crossfit_fold_config(config: SweepConfig) -> SweepConfig:
    """What one fold of a cross-fit trains and scores: the other folds' rows, then its own (as its 'test' rows)."""
    held = math.ceil(config.train_size / config.crossfit_folds)
    return replace(config, train_size=max(config.train_size - held, 1), test_size=held)


def estimate_sweep_seconds(config: SweepConfig, throughput: Throughput) -> float:
    """Seconds the sweep should take: data and baselines, then per LR training, evals and final predictions.

    A cross-fit scores no baselines and runs once per fold."""
    if config.crossfit_folds:
        return DATA_LOAD_SECONDS + remaining_run_seconds(crossfit_fold_config(config), throughput) * config.crossfit_folds
    per_run = remaining_run_seconds(config, throughput)
    baselines = (DATA_LOAD_SECONDS + TFIDF_SECONDS_PER_TRAIN_ROW * config.train_size + MODEL_LOAD_SECONDS
                 + config.test_size / throughput.inference)
    return baselines + per_run * len(config.learning_rates)


def estimate_seconds(root: Path, config: SweepConfig) -> float:
    """Seconds the sweep should take on this machine: throughput measured under root (else first guesses)."""
    return estimate_sweep_seconds(config, load_throughput(root, config.model))
