"""Can the confidence be trusted: expected calibration error, reliability bins and temperature scaling."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from agnews_core.modeling.prediction_frames import gold_labels, probabilities, split_rows

BINS = 15  # equal-width confidence bins, the usual choice since Guo et al. (2017)
LOG_T_BOUNDS = (math.log(0.05), math.log(20.0))  # far past any temperature a fine-tuned classifier needs
_TINY = 1e-12  # stored probabilities can round to 0 in float32; log(0) would poison the fit


@dataclass(frozen=True)
class ReliabilityBin:
    """One confidence bin: its range, the mean confidence and the accuracy of the rows that fall in it."""

    lower: float
    upper: float
    mean_confidence: float  # NaN when the bin is empty (plotly leaves a gap)
    accuracy: float  # NaN when the bin is empty
    count: int

    @property
    def center(self) -> float:
        return (self.lower + self.upper) / 2


@dataclass(frozen=True)
class Reliability:
    """Reliability-diagram data: every bin, empty ones included, and the ECE they add up to."""

    bins: tuple[ReliabilityBin, ...]
    ece: float

    def frame(self) -> pd.DataFrame:
        """One row per bin (lower, upper, center, mean_confidence, accuracy, count): ready for a bar + line chart."""
        return pd.DataFrame([{"lower": b.lower, "upper": b.upper, "center": b.center,
                              "mean_confidence": b.mean_confidence, "accuracy": b.accuracy, "count": b.count}
                             for b in self.bins])


@dataclass(frozen=True)
class CalibrationReport:
    """A run's calibration on its test rows, before and after temperature scaling fitted on validation rows."""

    temperature: float
    before: Reliability
    after: Reliability
    validation_rows: int
    test_rows: int

    @property
    def ece_before(self) -> float:
        return self.before.ece

    @property
    def ece_after(self) -> float:
        return self.after.ece


def _check(probs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    probs, labels = np.asarray(probs, dtype="float64"), np.asarray(labels, dtype="int64")
    if probs.ndim != 2 or len(probs) != len(labels):
        raise ValueError(f"need an (n, classes) probability array and n labels, got {probs.shape} and {labels.shape}")
    if len(labels) == 0:
        raise ValueError("no rows to calibrate")
    if labels.min() < 0 or labels.max() >= probs.shape[1]:
        raise ValueError(f"labels must be class ids 0..{probs.shape[1] - 1}")
    return probs, labels


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> Reliability:
    """Bin rows by confidence (the top probability) into equal-width bins (lower, upper]; ECE is the count-weighted
    mean gap between accuracy and mean confidence."""
    probs, labels = _check(probs, labels)
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    result, ece = [], 0.0
    for i in range(bins):
        members = index == i
        count = int(members.sum())
        mean_conf = float(confidence[members].mean()) if count else math.nan
        accuracy = float(correct[members].mean()) if count else math.nan
        if count:
            ece += count / len(labels) * abs(accuracy - mean_conf)
        result.append(ReliabilityBin(i / bins, (i + 1) / bins, mean_conf, accuracy, count))
    return Reliability(tuple(result), float(ece))


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """ECE with equal-width confidence bins (0 = confidence matches accuracy in every bin)."""
    return reliability(probs, labels, bins).ece


def _scaled_log_probs(probs: np.ndarray, temperature: float) -> np.ndarray:
    logits = np.log(np.clip(probs, _TINY, None)) / temperature  # log-probabilities are logits up to a constant
    return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities softened (T > 1) or sharpened (T < 1) by a temperature; T = 1 leaves them unchanged."""
    if not temperature > 0 or not math.isfinite(temperature):
        raise ValueError(f"temperature must be a finite number > 0, got {temperature}")
    return np.exp(_scaled_log_probs(np.asarray(probs, dtype="float64"), temperature))


def log_loss(probs: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the gold labels after temperature scaling."""
    probs, labels = _check(probs, labels)
    return float(-_scaled_log_probs(probs, temperature)[np.arange(len(labels)), labels].mean())


def fit_temperature(probs: np.ndarray, labels: np.ndarray) -> float:
    """The one temperature T > 0 that minimises log-loss on these rows (searched over log T, bounded)."""
    from scipy.optimize import minimize_scalar

    probs, labels = _check(probs, labels)
    found = minimize_scalar(lambda log_t: log_loss(probs, labels, math.exp(log_t)), bounds=LOG_T_BOUNDS,
                            method="bounded", options={"xatol": 1e-4})
    return float(math.exp(found.x))


def calibrate_run(predictions: pd.DataFrame, bins: int = BINS) -> CalibrationReport:
    """Fit T on a run's validation rows; ECE and reliability bins on its test rows before and after."""
    validation, test = split_rows(predictions, "validation"), split_rows(predictions, "test")
    if "split" not in predictions.columns or validation.empty:
        raise ValueError("these predictions have no validation rows to fit a temperature on")
    if test.empty:
        raise ValueError("these predictions have no test rows to measure calibration on")
    temperature = fit_temperature(probabilities(validation), gold_labels(validation))
    test_probs, test_labels = probabilities(test), gold_labels(test)
    return CalibrationReport(
        temperature=temperature, before=reliability(test_probs, test_labels, bins),
        after=reliability(apply_temperature(test_probs, temperature), test_labels, bins),
        validation_rows=len(validation), test_rows=len(test),
    )
