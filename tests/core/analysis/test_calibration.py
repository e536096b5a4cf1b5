"""Calibration: ECE and reliability bins by hand, temperature scaling on over- and under-confident sets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from agnews_core.analysis.calibration import (
    BINS,
    apply_temperature,
    calibrate_run,
    expected_calibration_error,
    fit_temperature,
    log_loss,
    reliability,
)
from agnews_core.modeling.batch_predict import PredictionTable, predictions_frame


def confident(top: float, predicted: int) -> np.ndarray:
    """A probability row with `top` on `predicted` and the rest shared evenly."""
    row = np.full(4, (1 - top) / 3)
    row[predicted] = top
    return row


def overconfident_set(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sharp probabilities (softmax of logits x 3) whose true accuracy follows the unsharpened ones."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.5, size=(rows, 4))
    honest = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(4, p=p) for p in honest])  # labels drawn from the honest probabilities
    sharp = np.exp(3 * logits) / np.exp(3 * logits).sum(axis=1, keepdims=True)
    return sharp, labels


def test_ece_and_bins_on_hand_made_probabilities() -> None:
    # Four rows at confidence 0.9 (3 right) and two at 0.6 (both right).
    probs = np.array([confident(0.9, 0)] * 4 + [confident(0.6, 1)] * 2)
    labels = np.array([0, 0, 0, 2, 1, 1])
    result = reliability(probs, labels)
    assert len(result.bins) == BINS
    filled = [b for b in result.bins if b.count]
    assert [(b.count, b.accuracy) for b in filled] == [(2, 1.0), (4, 0.75)]
    assert filled[0].mean_confidence == pytest.approx(0.6) and filled[1].mean_confidence == pytest.approx(0.9)
    assert filled[0].lower < 0.6 <= filled[0].upper and filled[1].lower < 0.9 <= filled[1].upper
    # ECE = 2/6 * |1.0 - 0.6| + 4/6 * |0.75 - 0.9|
    assert result.ece == pytest.approx(2 / 6 * 0.4 + 4 / 6 * 0.15)
    assert expected_calibration_error(probs, labels) == pytest.approx(result.ece)
    empty = [b for b in result.bins if not b.count]
    assert all(math.isnan(b.accuracy) and math.isnan(b.mean_confidence) for b in empty)
    chart = result.frame()
    assert list(chart.columns) == ["lower", "upper", "center", "mean_confidence", "accuracy", "count"]
    assert chart["count"].sum() == 6 and chart["upper"].iloc[-1] == pytest.approx(1.0)


def test_perfectly_calibrated_bins_have_zero_ece() -> None:
    probs = np.array([confident(0.75, 0)] * 4 + [confident(1.0, 3)] * 3)
    labels = np.array([0, 0, 0, 1, 3, 3, 3])  # 3 of 4 right at 0.75; all right at 1.0
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0)


def test_temperature_one_changes_nothing_and_scaling_keeps_the_ranking() -> None:
    probs, _ = overconfident_set(50, seed=1)
    np.testing.assert_allclose(apply_temperature(probs, 1.0), probs, rtol=1e-9, atol=1e-12)
    soft = apply_temperature(probs, 2.5)
    np.testing.assert_allclose(soft.sum(axis=1), 1.0)
    assert (soft.argmax(axis=1) == probs.argmax(axis=1)).all()
    assert (soft.max(axis=1) <= probs.max(axis=1) + 1e-12).all()
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="temperature"):
            apply_temperature(probs, bad)


def test_an_overconfident_set_gets_t_above_one_and_a_lower_ece() -> None:
    probs, labels = overconfident_set(3000, seed=2)
    temperature = fit_temperature(probs, labels)
    assert 2.4 < temperature < 3.6  # the sharpening was exactly x3 on the logits
    assert log_loss(probs, labels, temperature) < log_loss(probs, labels)
    before, after = expected_calibration_error(probs, labels), expected_calibration_error(
        apply_temperature(probs, temperature), labels)
    assert after < before / 2


def test_an_underconfident_set_gets_t_below_one() -> None:
    sharp, labels = overconfident_set(3000, seed=3)
    blunt = apply_temperature(sharp, 6.0)  # twice as soft as honest
    assert fit_temperature(blunt, labels) < 1.0


def test_calibrate_run_fits_on_validation_and_measures_on_test() -> None:
    val_probs, val_labels = overconfident_set(1500, seed=4)
    test_probs, test_labels = overconfident_set(1500, seed=5)
    frame = pd.concat([
        predictions_frame([f"v{i}" for i in range(1500)], val_labels, PredictionTable(val_probs, 1.0), "validation"),
        predictions_frame([f"t{i}" for i in range(1500)], test_labels, PredictionTable(test_probs, 1.0), "test"),
    ], ignore_index=True)
    report = calibrate_run(frame)
    assert (report.validation_rows, report.test_rows) == (1500, 1500)
    assert report.temperature == pytest.approx(fit_temperature(val_probs.astype(np.float32), val_labels))
    assert report.ece_before == pytest.approx(expected_calibration_error(test_probs.astype(np.float32), test_labels))
    assert report.ece_after < report.ece_before
    assert sum(b.count for b in report.after.bins) == 1500


def test_bad_input_says_what_is_wrong() -> None:
    probs = np.array([confident(0.9, 0)])
    with pytest.raises(ValueError, match="no validation rows"):
        calibrate_run(predictions_frame(["t"], [0], PredictionTable(probs, 1.0), "test"))
    with pytest.raises(ValueError, match="no rows"):
        reliability(np.zeros((0, 4)), np.zeros(0))
    with pytest.raises(ValueError, match="labels must be class ids"):
        reliability(probs, np.array([7]))
    with pytest.raises(ValueError, match="probability array"):
        reliability(probs, np.array([0, 1]))
