"""One training run on the tiny model: progress reports, loss curves, evaluation points and divergence."""

from __future__ import annotations

import math
import threading

import pytest
import torch

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.sources import load_source, make_splits
from agnews_core.modeling.models import load_pretrained
from agnews_core.modeling.training import (
    ETA_MIN_TIMED_STEPS,
    TIMING_SKIP_STEPS,
    StepReport,
    StepTimer,
    TrainingDiverged,
    TrainSettings,
    by_length,
    step_examples,
    tokenized_dataset,
    train_model,
    untimed_step_count,
)


@pytest.fixture(scope="module")
def splits():
    config = SweepConfig(model="tiny", data="sample", train_size=64, eval_size=16, test_size=16, seed=4)
    return make_splits(load_source("sample"), config)


def _settings(**overrides: object) -> TrainSettings:
    values = dict(learning_rate=1e-3, epochs=1.0, batch_size=16, seed=4, max_length=32, warmup_ratio=0.1,
                  evals_per_run=2)
    values.update(overrides)
    return TrainSettings(**values)


def test_tokenized_dataset_has_lengths_and_labels(splits) -> None:
    loaded = load_pretrained("tiny", seed=4, tokenizer_texts=splits.train["text"])
    dataset = tokenized_dataset(loaded.tokenizer, splits.train, max_length=8)
    assert len(dataset) == 64
    assert set(dataset.column_names) == {"input_ids", "attention_mask", "labels", "length"}
    assert dataset["labels"] == splits.train["label"].tolist()
    assert all(length == len(ids) <= 8 for length, ids in zip(dataset["length"], dataset["input_ids"], strict=True))


def test_train_model_reports_steps_and_curves(splits) -> None:
    loaded = load_pretrained("tiny", seed=4, tokenizer_texts=splits.train["text"])
    before = [p.detach().clone() for p in loaded.model.parameters()]
    reports: list[StepReport] = []
    curves: list[tuple[int, int]] = []
    outcome = train_model(loaded.model, loaded.tokenizer, splits.train, splits.validation, _settings(),
                          reports.append, lambda train, evals: curves.append((len(train), len(evals))),
                          threading.Event())
    assert not outcome.cancelled
    assert outcome.total_steps == outcome.steps_done == 4  # 64 rows / batch 16, one epoch
    assert [r.step for r in reports] == [1, 2, 3, 4] and {r.total_steps for r in reports} == {4}
    assert reports[-1].run_eta_seconds == 0 and all(r.examples_per_second > 0 for r in reports)
    assert all(r.run_eta_seconds is None for r in reports[:-1])  # 2 warm-up steps, then too few timed for an ETA
    assert [p.step for p in outcome.eval_loss] == [2, 4]  # evals_per_run=2
    assert outcome.final_eval_loss == outcome.eval_loss[-1].loss and math.isfinite(outcome.final_eval_loss)
    assert [p.step for p in outcome.train_loss] == [1, 2, 3, 4]
    assert curves and curves[-1] == (len(outcome.train_loss), len(outcome.eval_loss))
    assert outcome.train_seconds > 0 and outcome.examples_per_second > 0
    assert any(not torch.equal(a, b) for a, b in zip(before, loaded.model.parameters(), strict=True))


def test_nan_loss_raises_training_diverged(splits) -> None:
    loaded = load_pretrained("tiny", seed=4, tokenizer_texts=splits.train["text"])
    with torch.no_grad():
        loaded.model.classifier.bias.fill_(float("nan"))
    steps: list[int] = []
    with pytest.raises(TrainingDiverged, match="NaN or infinite at step 1 .*learning rate 0.001"):
        train_model(loaded.model, loaded.tokenizer, splits.train, splits.validation, _settings(),
                    lambda r: steps.append(r.step), lambda *_: None, threading.Event())
    assert steps == [1]  # stopped at the first NaN, not after the whole epoch


def test_warmup_is_the_first_tenth_of_training_rounded_up_as_transformers_did_for_a_ratio() -> None:
    from transformers import TrainingArguments

    from agnews_core.modeling.training import warmup_step_count

    assert warmup_step_count(375, 0.1) == 38
    assert warmup_step_count(5, 0.1) == 1
    assert warmup_step_count(100, 0.0) == 0
    # the same count transformers derives from a float below 1 (what the code passed before)
    assert TrainingArguments(output_dir="unused", warmup_steps=0.1).get_warmup_steps(375) == 38


def test_step_timer_leaves_the_warm_up_steps_out_of_throughput_and_eta() -> None:
    timer = StepTimer(skip=2)
    timer.add(10.0, 32)  # the longest batch, buffers allocated
    timer.add(4.0, 32)
    assert timer.examples_per_second() == pytest.approx(64 / 14)  # nothing past warm-up yet: a first reading
    assert timer.eta_seconds(remaining_steps=8) is None
    for _ in range(ETA_MIN_TIMED_STEPS - 1):
        timer.add(1.0, 32)
    assert timer.eta_seconds(remaining_steps=8) is None  # too few steps past warm-up
    for _ in range(8 - ETA_MIN_TIMED_STEPS + 1):
        timer.add(1.0, 32)
    timer.add(0.25, 8)  # the last, partial batch of the epoch
    assert timer.timed_steps == 9 and timer.timed_examples == 8 * 32 + 8
    assert timer.examples_per_second() == pytest.approx((8 * 32 + 8) / 8.25)  # 32 ex/s, not the 16 of all steps
    assert timer.eta_seconds(remaining_steps=10) == pytest.approx(10 * 8.25 / 9)
    assert timer.eta_seconds(remaining_steps=0) == 0.0
    assert timer.seconds == pytest.approx(22.25) and timer.steps == 11  # the run's whole optimizer time


def test_short_runs_keep_at_least_half_their_steps_timed() -> None:
    assert untimed_step_count(2000) == untimed_step_count(25) == TIMING_SKIP_STEPS
    assert untimed_step_count(7) == 3 and untimed_step_count(2) == 1 and untimed_step_count(1) == 0


def test_step_examples_counts_the_partial_last_batch_of_each_epoch() -> None:
    assert [step_examples(step, rows=200, batch_size=32) for step in range(1, 8)] == [32] * 6 + [8]
    assert step_examples(14, rows=200, batch_size=32) == 8 and step_examples(8, rows=200, batch_size=32) == 32
    assert step_examples(3, rows=64, batch_size=16) == 16


def test_by_length_sorts_stably_without_a_pyarrow_warning() -> None:
    import warnings

    from datasets import Dataset

    dataset = Dataset.from_dict({"text": ["ccc", "a", "bb", "b"], "length": [3, 1, 2, 1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Dataset.sort raised pyarrow's null_placement FutureWarning here
        ordered = by_length(dataset)
    assert ordered["text"] == ["a", "b", "bb", "ccc"]
