"""Fine-tune one model at one learning rate with the HF Trainer: curves, progress, cancel."""

from __future__ import annotations

import logging
import math
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from agnews_core.config.precision import Precision, resolve_here
from agnews_core.store.records import LossPoint

logger = logging.getLogger(__name__)

# The first optimizer steps allocate buffers and, with group_by_length, run the longest batch (the sampler puts it
# first): timed with the rest, they made a 25-step run look far slower than a long one.
TIMING_SKIP_STEPS = 5
ETA_MIN_TIMED_STEPS = 3  # an ETA from fewer steps past warm-up swings wildly from one step to the next


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite."""


@dataclass(frozen=True)
class TrainSettings:
    """What one training run needs beyond model and data."""

    learning_rate: float
    epochs: float
    batch_size: int
    seed: int
    max_length: int
    warmup_ratio: float
    evals_per_run: int
    report_to: str = "none"  # also log to this tracker: 'none', 'tensorboard', 'mlflow' or 'wandb'
    log_dir: str = ""  # where the TensorBoard events of this run go (the run's own folder, kept)
    precision: Precision = Precision.FP32  # bf16/fp16: autocast mixed precision; auto is resolved per hardware


@dataclass(frozen=True)
class StepReport:
    """Sent after every optimizer step."""

    step: int
    total_steps: int
    examples_per_second: float
    run_eta_seconds: float | None


@dataclass
class StepTimer:
    """Optimizer-step times of one run; its throughput and ETA count only the steps past warm-up."""

    skip: int  # leading steps left out of throughput and ETA
    seconds: float = 0.0  # every step
    steps: int = 0
    examples: int = 0
    timed_seconds: float = 0.0  # the steps past warm-up
    timed_steps: int = 0
    timed_examples: int = 0

    def add(self, seconds: float, examples: int) -> None:
        """Count one finished step of `examples` rows."""
        self.seconds += seconds
        self.steps += 1
        self.examples += examples
        if self.steps > self.skip:
            self.timed_seconds += seconds
            self.timed_steps += 1
            self.timed_examples += examples

    def examples_per_second(self) -> float:
        """Over the steps past warm-up; until one is timed, over every step so far (a first reading)."""
        if self.timed_steps and self.timed_seconds > 0:
            return self.timed_examples / self.timed_seconds
        return self.examples / self.seconds if self.seconds > 0 else 0.0

    def eta_seconds(self, remaining_steps: int) -> float | None:
        """Seconds for the steps left, once enough steps past warm-up are timed; None before."""
        if remaining_steps <= 0:
            return 0.0
        if self.timed_steps < ETA_MIN_TIMED_STEPS:
            return None
        return remaining_steps * self.timed_seconds / self.timed_steps


def untimed_step_count(total_steps: int) -> int:
    """Leading steps a run leaves out of its throughput: TIMING_SKIP_STEPS, or half of a shorter run."""
    return min(TIMING_SKIP_STEPS, total_steps // 2)


def step_examples(step: int, rows: int, batch_size: int) -> int:
    """Rows in the 1-based optimizer step `step`: full batches, the last of each epoch holds what is left."""
    steps_per_epoch = max(1, math.ceil(rows / batch_size))
    if (step - 1) % steps_per_epoch < steps_per_epoch - 1:
        return batch_size
    return rows - batch_size * (steps_per_epoch - 1)


@dataclass
class TrainOutcome:
    """What happened in one run."""

    cancelled: bool
    train_loss: list[LossPoint]
    eval_loss: list[LossPoint]
    final_eval_loss: float | None
    total_steps: int
    steps_done: int
    train_seconds: float  # optimizer time only, evaluations excluded
    examples_per_second: float  # over the steps past warm-up (StepTimer)
    precision: Precision = Precision.FP32  # what the run really used


def warmup_step_count(total_steps: int, warmup_ratio: float) -> int:
    """Optimizer steps of linear warmup: the first warmup_ratio of training, rounded up."""
    return math.ceil(total_steps * warmup_ratio)


def tokenized_dataset(tokenizer: Any, frame: pd.DataFrame, max_length: int) -> Any:
    """A datasets.Dataset of token ids (no padding: the collator pads per batch) with a length column."""
    from datasets import Dataset

    encoded = tokenizer(frame["text"].astype(str).tolist(), truncation=True, max_length=max_length)
    return Dataset.from_dict(
        {
            "input_ids": encoded["input_ids"],
            "attention_mask": encoded["attention_mask"],
            "labels": frame["label"].astype(int).tolist(),
            "length": [len(ids) for ids in encoded["input_ids"]],
        }
    )


def by_length(dataset: Any) -> Any:
    """Rows shortest first (stable): the Trainer evaluates in order, so batches of similar length pad little.

    Dataset.sort would do it, but it passes pyarrow a null_placement that pyarrow 25+ warns about on every call.
    """
    lengths = list(dataset["length"])
    return dataset.select(sorted(range(len(lengths)), key=lengths.__getitem__))


def _make_callback(
    on_step: Callable[[StepReport], None],
    on_curve: Callable[[list[LossPoint], list[LossPoint]], None],
    cancel: threading.Event,
    batch_size: int,
    rows: int,
    total_steps: int,
) -> Any:
    from transformers import TrainerCallback

    class RecordingCallback(TrainerCallback):
        """Records losses, reports progress and stops when cancel is set."""

        def __init__(self) -> None:
            self.train_loss: list[LossPoint] = []
            self.eval_loss: list[LossPoint] = []
            self.diverged = False
            self.step_started = 0.0
            self.timer = StepTimer(skip=untimed_step_count(total_steps))

        def on_step_begin(self, args, state, control, **kwargs):
            self.step_started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.timer.add(time.perf_counter() - self.step_started, step_examples(state.global_step, rows, batch_size))
            eta = self.timer.eta_seconds(state.max_steps - state.global_step)
            on_step(StepReport(state.global_step, state.max_steps, self.timer.examples_per_second(), eta))
            if cancel.is_set():
                control.should_training_stop = True
                control.should_evaluate = False
            return control

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = logs or {}
            epoch = float(logs.get("epoch", state.epoch or 0.0))
            if "loss" in logs:
                loss = float(logs["loss"])
                self.train_loss.append(LossPoint(state.global_step, epoch, loss))
                if not math.isfinite(loss):
                    self.diverged = True
                    control.should_training_stop = True
            if "eval_loss" in logs:
                self.eval_loss.append(LossPoint(state.global_step, epoch, float(logs["eval_loss"])))
            on_curve(list(self.train_loss), list(self.eval_loss))
            return control

    return RecordingCallback()


def train_model(
    model: Any,
    tokenizer: Any,
    train: pd.DataFrame,
    validation: pd.DataFrame,
    settings: TrainSettings,
    on_step: Callable[[StepReport], None],
    on_curve: Callable[[list[LossPoint], list[LossPoint]], None],
    cancel: threading.Event,
) -> TrainOutcome:
    """Train in place; raise TrainingDiverged on a NaN loss; stop early when cancel is set."""
    import torch
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments, set_seed

    set_seed(settings.seed)
    train_set = tokenized_dataset(tokenizer, train, settings.max_length)
    eval_set = by_length(tokenized_dataset(tokenizer, validation, settings.max_length)).remove_columns(["length"])
    steps_per_epoch = math.ceil(len(train_set) / settings.batch_size)
    total_steps = max(1, math.ceil(steps_per_epoch * settings.epochs))
    eval_every = max(1, math.ceil(total_steps / settings.evals_per_run))
    use_gpu = torch.cuda.is_available()
    precision = resolve_here(settings.precision)
    callback = _make_callback(on_step, on_curve, cancel, settings.batch_size, len(train_set), total_steps)
    with tempfile.TemporaryDirectory(prefix="agnews-trainer-") as scratch:
        args = TrainingArguments(
            output_dir=scratch,
            learning_rate=settings.learning_rate,
            num_train_epochs=settings.epochs,
            max_steps=total_steps,
            per_device_train_batch_size=settings.batch_size,
            per_device_eval_batch_size=64,
            # transformers 5 dropped warmup_ratio: pass the step count (what it derived from a ratio below 1)
            warmup_steps=warmup_step_count(total_steps, settings.warmup_ratio),
            lr_scheduler_type="linear",
            train_sampling_strategy="group_by_length",  # similar lengths per batch: less padding
            eval_strategy="steps",
            eval_steps=eval_every,
            logging_strategy="steps",
            logging_steps=max(1, min(10, total_steps // 40)),
            logging_nan_inf_filter=False,  # a NaN loss must surface, not be averaged away
            save_strategy="no",
            # TensorBoard gets a writer on the run's folder below; the Trainer's own would write into scratch.
            report_to="none" if settings.report_to in ("none", "tensorboard") else settings.report_to,
            disable_tqdm=True,
            seed=settings.seed,
            data_seed=settings.seed,
            use_cpu=not use_gpu,
            bf16=precision is Precision.BF16,  # on the CPU too: accelerate wraps each step in torch.autocast
            fp16=precision is Precision.FP16,
            dataloader_num_workers=0,
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=train_set,
            eval_dataset=eval_set,
            processing_class=tokenizer,
            data_collator=DataCollatorWithPadding(tokenizer=tokenizer),
            callbacks=[callback, *_tracker_callbacks(settings)],
        )
        trainer.remove_callback(_printer_callback())
        trainer.train()
        if callback.diverged:
            raise TrainingDiverged(f"training loss became NaN or infinite at step {trainer.state.global_step} "
                                   f"(learning rate {settings.learning_rate:g} is probably too high)")
        cancelled = cancel.is_set()
        final_eval = None
        if not cancelled:
            if not callback.eval_loss or callback.eval_loss[-1].step != trainer.state.global_step:
                trainer.evaluate()
            final_eval = callback.eval_loss[-1].loss if callback.eval_loss else None
    _drop_mixed_precision_wrapper(model, precision)
    return TrainOutcome(
        cancelled=cancelled,
        train_loss=callback.train_loss,
        eval_loss=callback.eval_loss,
        final_eval_loss=final_eval,
        total_steps=total_steps,
        steps_done=trainer.state.global_step,
        train_seconds=callback.timer.seconds,
        examples_per_second=callback.timer.examples_per_second(),
        precision=precision,
    )


def _drop_mixed_precision_wrapper(model: Any, precision: Precision) -> None:
    """Undo accelerate's autocast wrapper on model.forward, so evaluation, saving and serving run as asked.

    Left in place, every later forward pass runs under bf16 autocast, and an int8 copy of the model fails.
    """
    if precision is not Precision.FP32:
        from accelerate.utils import extract_model_from_parallel

        extract_model_from_parallel(model, keep_fp32_wrapper=False)


def _tracker_callbacks(settings: TrainSettings) -> list[Any]:
    """A TensorBoard writer on the run's own folder, when the run reports there."""
    if settings.report_to != "tensorboard":
        return []
    from torch.utils.tensorboard import SummaryWriter
    from transformers.integrations import TensorBoardCallback

    return [TensorBoardCallback(SummaryWriter(log_dir=settings.log_dir or None))]



def _printer_callback() -> Any:
    from transformers.trainer_callback import PrinterCallback

    return PrinterCallback
