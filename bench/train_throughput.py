"""Training examples/s: the notebook recipe (pad to 128, batch 8, random order) vs train_model in fp32 and in bf16."""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from typing import Any

import pandas as pd

from bench.common import emit_json, load_minilm, load_split, median, print_table, quiet_transformers, ratio

NOTEBOOK_BATCH = 8
NOTEBOOK_MAX_LENGTH = 128
TARGET = 2.3  # fp32 path vs the notebook
TARGET_BF16 = 3.0  # bf16 autocast path vs the notebook, on a CPU with native bf16


def _step_timer() -> Any:
    """A TrainerCallback summing optimizer-step time the same way train_model's callback does."""
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        """Seconds between on_step_begin and on_step_end, summed."""

        def __init__(self) -> None:
            self.seconds = 0.0
            self.steps = 0
            self._began = 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            self._began = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.seconds += time.perf_counter() - self._began
            self.steps += 1

    return StepTimer()


def notebook_examples_per_second(frame: pd.DataFrame, steps: int, seed: int) -> float:
    """The notebook's recipe: padding='max_length', batch 8, plain random sampler, HF Trainer."""
    from datasets import Dataset
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments
    from transformers.trainer_callback import PrinterCallback

    loaded = load_minilm(seed)
    tokenizer = loaded.tokenizer
    dataset = Dataset.from_dict({"text": frame["text"].tolist(), "label": frame["label"].tolist()})
    dataset = dataset.map(
        lambda b: tokenizer(b["text"], padding="max_length", truncation=True, max_length=NOTEBOOK_MAX_LENGTH),
        batched=True,
    ).remove_columns(["text"])
    timer = _step_timer()
    with tempfile.TemporaryDirectory(prefix="bench-notebook-") as scratch:
        args = TrainingArguments(
            output_dir=scratch, max_steps=steps, per_device_train_batch_size=NOTEBOOK_BATCH, learning_rate=5e-5,
            report_to="none", save_strategy="no", logging_steps=10_000, disable_tqdm=True, use_cpu=True, seed=seed,
            dataloader_num_workers=0,
        )
        trainer = Trainer(model=loaded.model, args=args, train_dataset=dataset, processing_class=tokenizer,
                          data_collator=DataCollatorWithPadding(tokenizer=tokenizer), callbacks=[timer])
        trainer.remove_callback(PrinterCallback)
        trainer.train()
    return timer.steps * NOTEBOOK_BATCH / timer.seconds


def ours_examples_per_second(frame: pd.DataFrame, validation: pd.DataFrame, seed: int,
                             batch_size: int | None = None, precision: str = "fp32") -> float:
    """Exactly agnews_core.modeling.training.train_model with SweepConfig defaults (one epoch over frame)."""
    from agnews_core.config.precision import Precision
    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.modeling.training import TrainSettings, train_model

    defaults = SweepConfig()
    settings = TrainSettings(learning_rate=5e-5, epochs=1.0, batch_size=batch_size or defaults.batch_size, seed=seed,
                             max_length=defaults.max_length, warmup_ratio=defaults.warmup_ratio, evals_per_run=1,
                             precision=Precision(precision))
    loaded = load_minilm(seed)
    outcome = train_model(loaded.model, loaded.tokenizer, frame, validation, settings,
                          lambda _r: None, lambda _t, _e: None, threading.Event())
    return outcome.examples_per_second


def main() -> None:
    """Alternate baseline and ours for a few repeats; print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=48, help="optimizer steps per measurement (default 48)")
    parser.add_argument("--repeats", type=int, default=3, help="measurements of each recipe (default 3)")
    parser.add_argument("--no-bf16", action="store_true", help="skip the bf16 autocast variant of our path")
    args = parser.parse_args()
    quiet_transformers()
    from agnews_core.config.precision import hardware_info
    from agnews_core.config.sweep_config import SweepConfig

    hardware = hardware_info()
    print(f"machine: {hardware.describe()}")
    batch = SweepConfig().batch_size
    pool = load_split("train", args.steps * batch, seed=1)
    validation = load_split("test", 32, seed=2)
    rows, baseline, ours, bf16 = [], [], [], []
    for repeat in range(args.repeats):  # alternate the recipes so contention hits all of them alike
        baseline.append(notebook_examples_per_second(pool, args.steps, seed=repeat))
        ours.append(ours_examples_per_second(pool, validation, seed=repeat))
        if not args.no_bf16:
            bf16.append(ours_examples_per_second(pool, validation, seed=repeat, precision="bf16"))
        rows.append((repeat + 1, baseline[-1], ours[-1], ours[-1] / baseline[-1],
                     *((bf16[-1], bf16[-1] / baseline[-1]) if bf16 else ())))
    headers = ["repeat", f"notebook (pad 128, batch {NOTEBOOK_BATCH})", f"ours fp32 (dynamic, grouped, batch {batch})",
               "ratio"] + (["ours bf16 autocast", "bf16 ratio"] if bf16 else [])
    print_table(f"Training throughput, MiniLM, {args.steps} steps each (examples/s)", headers, rows)
    result = ratio(median(ours), median(baseline))
    print(f"\nmedian: notebook {median(baseline):.1f} ex/s, ours fp32 {median(ours):.1f} ex/s, "
          f"ratio {result:.2f}x (target >= {TARGET}x: {'met' if result >= TARGET else 'NOT met'})")
    extra = {}
    if bf16:
        bf16_ratio = ratio(median(bf16), median(baseline))
        print(f"ours bf16 {median(bf16):.1f} ex/s, ratio {bf16_ratio:.2f}x vs notebook "
              f"(target >= {TARGET_BF16}x: {'met' if bf16_ratio >= TARGET_BF16 else 'NOT met'}), "
              f"{ratio(median(bf16), median(ours)):.2f}x vs ours fp32")
        extra = dict(bf16_examples_per_second=median(bf16), bf16_ratio=bf16_ratio, bf16_target=TARGET_BF16,
                     bf16_met=bf16_ratio >= TARGET_BF16, bf16_vs_fp32=ratio(median(bf16), median(ours)), bf16_runs=bf16)
    emit_json("train_throughput", steps=args.steps, repeats=args.repeats, hardware=hardware.describe(),
              baseline_examples_per_second=median(baseline), ours_examples_per_second=median(ours), ratio=result,
              target=TARGET, met=result >= TARGET, baseline_runs=baseline, ours_runs=ours, **extra)

if __name__ == "__main__":
    main()
