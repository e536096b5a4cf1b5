"""Typed, validated configuration of a learning-rate sweep: the one declaration of every sweep field.

Each field's label, help, bounds and choices sit on it as `meta(...)`; SweepConfig's own validation,
`agnews_core.sweeps.request` (the CLI and the Sweep form), the CLI flags and the form widgets all read them
from here. To add a sweep field, declare it below with a `label`: it then has a flag and a widget.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from agnews_core.config.fields import Choice, FieldInfo, Other, bounds_text, field_info, in_bounds, meta, problems
from agnews_core.config.lr_search import MAX_RANGE_TRIALS, log_uniform, parse_range
from agnews_core.config.precision import Precision
from agnews_core.config.ray_address import LOCAL, validate_address

MAX_LEARNING_RATES = 12
DEFAULT_LEARNING_RATES: tuple[float, ...] = (5e-5, 1e-4, 2e-4)
MINILM = "minilm"
THREAD, RAY = "thread", "ray"  # executors: agnews_core.sweeps.executors.thread, agnews_core.sweeps.executors.ray_executor
EXECUTORS = (THREAD, RAY)
ASHA = "asha"  # early stopping by Ray Tune's ASHA scheduler
TINY = "tiny"
DEFAULT_MODEL = MINILM


class KeepModels(StrEnum):
    """Which fine-tuned weights a sweep keeps."""

    BEST = "best"
    ALL = "all"
    NONE = "none"


class Corrections(StrEnum):
    """Whether a sweep applies the analysts' verdicts (Errors page) to its training and validation rows."""

    IGNORE = "ignore"
    APPLY = "apply"


class CorrectionPolicy(StrEnum):
    """Which verdict counts on a row that several reviewers judged (agnews_core.review.policies applies it)."""

    LATEST = "latest"  # the most recent verdict of any reviewer: one verdict per row, as before reviewers counted
    MAJORITY = "majority"  # the most common verdict; a tie corrects nothing
    UNANIMOUS = "unanimous"  # only rows where every reviewer gave the same verdict


class ConfigError(ValueError):
    """A SweepConfig that breaks its fields' rules; `errors` holds one message per wrong field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def split_learning_rates(text: str) -> tuple[float, ...]:
    """'5e-5, 1e-4' as floats (not yet range-checked); ValueError saying what is wrong."""
    if text is None or not str(text).strip():
        raise ValueError("the learning-rate list is empty: give e.g. 5e-5,1e-4,2e-4")
    rates: list[float] = []
    for raw in str(text).replace(";", ",").split(","):
        item = raw.strip()
        if not item:
            raise ValueError(f"the learning-rate list {text!r} has an empty item: separate values by single commas")
        try:
            rates.append(float(item))
        except ValueError:
            raise ValueError(f"{item!r} is not a number: learning rates look like 5e-5") from None
    return tuple(rates)


def learning_rate_problem(info: FieldInfo, rates: Any) -> str:
    """Why a list of learning rates is not allowed (count, finite, bounds, repeats); empty when it is."""
    if len(rates) == 0:
        return "the learning-rate list is empty: give e.g. 5e-5,1e-4,2e-4"
    if info.max_items is not None and len(rates) > info.max_items:
        return f"{len(rates)} learning rates given: at most {info.max_items} per sweep"
    for value in rates:
        if not math.isfinite(value):
            return f"learning rate {value} is not a finite number"
        if not in_bounds(info, value):
            return f"learning rate {value:g} is out of range: it must be {bounds_text(info)}"
    if len(set(rates)) != len(rates):
        return "the learning-rate list repeats a value: each rate runs once"
    return ""


def format_lrs(rates: tuple[float, ...]) -> str:
    """'5e-5, 1e-4, 2e-4'."""
    return ", ".join(format_lr(x) for x in rates)


def parse_learning_rates(text: str) -> tuple[float, ...]:
    """Parse and check '5e-5, 1e-4' outside a SweepConfig; ValueError saying what is wrong."""
    rates = split_learning_rates(text)
    message = learning_rate_problem(field_info(SweepConfig, "learning_rates"), rates)
    if message:
        raise ValueError(message)
    return rates


def lr_range_problem(info: FieldInfo, text: Any) -> str:
    """Why a learning-rate range such as '1e-5..1e-3' is not allowed; empty when it is (or left empty)."""
    if not str(text).strip():
        return ""
    if len(str(text)) > (info.maximum or 60):
        return f"{info.what} is too long"
    try:
        parse_range(str(text))
    except ValueError as exc:
        return str(exc)
    return ""


def ray_address_problem(info: FieldInfo, text: Any) -> str:
    """Why a Ray address is not one of the accepted forms; empty when it is."""
    try:
        validate_address(str(text))
    except ValueError as exc:
        return str(exc)
    return ""


def _combination_problems(config: SweepConfig) -> dict[str, str]:
    """Rules between fields: early stopping needs Ray and a grace shorter than a run."""
    errors = {}
    if config.early_stopping == ASHA and config.executor != RAY:
        errors["early_stopping"] = ("early stopping needs Ray: set Run on to Ray, or turn it off (on this machine "
                                    "every rate runs to the end)")
    if config.early_stopping == ASHA and config.grace_evals >= config.evals_per_run:
        errors["grace_evals"] = (f"the grace ({config.grace_evals}) must be below the {config.evals_per_run} "
                                 "evaluations of a run, or no trial could be stopped early")
    if config.crossfit_folds == 1 or bool(config.crossfit_of) != bool(config.crossfit_folds):
        errors["crossfit_folds"] = ("a cross-fit names the run it cross-fits (SWEEP/RUN) and 2 or 3 folds; "
                                    f"got {config.crossfit_of or 'no run'!r} and {config.crossfit_folds} folds")
    return errors


@dataclass(frozen=True)
class SweepConfig:
    """Everything that defines one sweep; validated on creation against each field's meta(...)."""

    learning_rates: tuple[float, ...] = meta(
        DEFAULT_LEARNING_RATES, label="Learning rates", flag="--lrs", minimum=0, open_min=True, maximum=1,
        max_items=MAX_LEARNING_RATES, parse=split_learning_rates, check=learning_rate_problem, show=format_lrs,
        help="Comma-separated; one fresh model is fine-tuned per rate.")
    model: str = meta(
        MINILM, label="Model", help="The model to fine-tune.",
        choices=(Choice(MINILM, "all-MiniLM-L6-v2 (pretrained, works offline)"),
                 Choice(TINY, "tiny BERT (seconds, smoke tests)")),
        other=Other("other", "other: Hub id or folder", "Other model", "any Hugging Face model id or local model folder",
                    placeholder="distilbert-base-uncased or /path/to/model"))
    data: str = meta(
        "auto", label="Data", help="AG News (built in) or a data set registered on the Data page or with `data add`.",
        choices=(Choice("auto", "auto (the Hub if it answers, else the sample)"),
                 Choice("sample", "bundled AG News sample"), Choice("hub", "Hugging Face Hub ag_news")),
        other=Other("folder", "a folder of parquet/CSV", "Data folder",
                    "a folder that holds train*.parquet/csv and test*.parquet/csv",
                    placeholder="/path/with/train.parquet and test.parquet"))
    # 80 % of the bundled sample: fresh rows beat more epochs over fewer (bench/README.md, "Choosing the defaults")
    train_size: int = meta(8000, label="Train rows", minimum=1, maximum=200_000, step=500,
                           help="Training rows, drawn stratified from train after validation is held out.")
    eval_size: int = meta(500, label="Validation rows", minimum=1, maximum=100_000, step=100,
                          help="Eval loss on these rows picks the best learning rate.")
    # The whole official AG News test split, the set every published accuracy uses
    test_size: int = meta(7600, label="Test rows", minimum=1, maximum=100_000, step=100,
                          help="Rows of the untouched test split for the final accuracy (AG News has 7,600).")
    epochs: float = meta(1.0, label="Epochs", minimum=0.05, maximum=20, step=0.5,
                         help="Passes over the training rows; fractions allowed.")
    # 32: 16 % more examples/s than 16 on 2 cores with bf16, same accuracy (bench/README.md)
    batch_size: int = meta(32, label="Batch size", minimum=1, maximum=1024, help="Training batch size.")
    # numpy seeds stop at 2**32 - 1; the form has always stopped at 2**31 - 1
    seed: int = meta(42, label="Seed", minimum=0, maximum=2**31 - 1, help="Seed for splits, initialisation and order.")
    max_length: int = meta(128, minimum=1, maximum=512)  # 0.7 % of AG News texts exceed 128 tokens
    warmup_ratio: float = meta(0.1, minimum=0, maximum=1, open_max=True)
    evals_per_run: int = meta(4, minimum=1, maximum=100)  # points on the eval-loss curve per run
    keep_models: KeepModels = meta(KeepModels.BEST, label="Keep weights of",
                                   help="Each MiniLM copy is about 90 MB; 'best' keeps only the best run's.")
    # Verdicts are never applied silently: off unless asked for; the test rows never change either way.
    corrections: Corrections = meta(
        Corrections.IGNORE, label="Label corrections",
        help="Verdicts recorded on the Errors page: relabel or drop those training and validation rows. "
             "Test rows never change.",
        choices=(Choice(Corrections.IGNORE, "ignore verdicts (train on the data as it is)"),
                 Choice(Corrections.APPLY, "apply verdicts to train and validation rows")))
    # latest by default: sweeps recorded before reviewers counted read as they ran
    verdict_policy: CorrectionPolicy = meta(
        CorrectionPolicy.LATEST, label="Verdict policy",
        help="When several reviewers judged a row, which verdict is applied (with Label corrections = apply). "
             "A row judged by one reviewer counts as agreed.",
        choices=(Choice(CorrectionPolicy.LATEST, "latest: the most recent verdict of any reviewer"),
                 Choice(CorrectionPolicy.MAJORITY, "majority: the most common verdict (a tie corrects nothing)"),
                 Choice(CorrectionPolicy.UNANIMOUS, "unanimous: only rows where every reviewer agrees")))
    validation_fraction: float = meta(0.2, minimum=0, maximum=1, open_min=True, open_max=True)  # the notebook's 20 %
    precision: Precision = meta(
        Precision.AUTO, label="Precision", help="auto: bf16 on CPUs with AVX512-BF16 or AMX and on GPUs, else fp32.",
        choices=(Choice("auto", "auto (bf16 where the hardware has it)"), Choice("fp32", "fp32"),
                 Choice("bf16", "bf16 (autocast)"), Choice("fp16", "fp16 (CUDA GPUs only)")))
    report_to: str = meta(
        "none", label="Report to", help="Also log every run to this tracker (its package must be installed).",
        choices=(Choice("none", "nothing else"), Choice("tensorboard", "TensorBoard (events in each run's folder)"),
                 Choice("mlflow", "MLflow"), Choice("wandb", "Weights & Biases")))
    # Where the sweep runs (README "When one machine is not enough"); the thread needs none of the Ray fields.
    lr_range: str = meta("", label="Learning-rate range (optional)", flag="--lr-range", noun="learning-rate range",
                         maximum=60, check=lr_range_problem,
                         help="Instead of the list: e.g. 1e-5..1e-3; that many rates are drawn log-uniformly "
                              "with the seed (on either executor).")
    range_trials: int = meta(4, label="Rates from the range", minimum=1, maximum=MAX_RANGE_TRIALS,
                             help="How many learning rates the range search draws.")
    executor: str = meta(THREAD, label="Run on", help="This machine's background thread, or Ray trials.",
                         choices=(Choice(THREAD, "this machine"), Choice(RAY, "Ray (a local or remote cluster)")))
    ray_address: str = meta(LOCAL, label="Ray address", check=ray_address_problem, maximum=300,
                            help="'local' (an embedded Ray here), 'auto' ($RAY_ADDRESS or the cluster `ray start` "
                                 "left here), 'host:6379' or 'ray://host:10001'.")
    ray_local_cpus: int = meta(0, label="Ray CPUs (local)", minimum=0, maximum=4096,
                               help="CPUs an embedded Ray may use; 0: all of this machine's.")
    cpus_per_trial: float = meta(1.0, label="CPUs per trial", minimum=0, open_min=True, maximum=4096, step=1.0,
                                 help="Each Ray trial reserves these CPUs and trains with as many threads.")
    gpus_per_trial: float = meta(0.0, label="GPUs per trial", minimum=0, maximum=64, step=1.0,
                                 help="Each Ray trial reserves these GPUs (0.5 packs two trials per GPU).")
    ray_storage: str = meta("", label="Shared storage (Ray)", flag="--ray-storage", noun="shared storage path",
                            maximum=1000, help="For clusters of several machines: a folder every node mounts or a "
                                               "pyarrow URI (s3://...); empty: trials write to artifacts/ directly.")
    early_stopping: str = meta("off", label="Early stopping", help="ASHA stops trials with a poor eval loss (needs Ray).",
                               choices=(Choice("off", "off: every rate runs to the end"),
                                        Choice(ASHA, "ASHA on eval loss (needs Ray)")))
    grace_evals: int = meta(1, label="Grace (evaluations)", minimum=1, maximum=100,
                            help="Evaluations every trial gets before early stopping may end it.")
    label: str = meta("", label="Name (optional)", flag="--name", noun="sweep name", maximum=200,
                      help="A free-text name for this sweep.")
    # A final training retrains the chosen LR of this sweep on train + validation rows; empty for a sweep.
    final_of: str = meta("", maximum=128)
    # A cross-fit scores this run's ("SWEEP/RUN") training rows out of sample: one run per fold, trained on the
    # other folds with the run's own settings (agnews_core/sweeps/crossfit.py); empty and 0 for a sweep.
    crossfit_of: str = meta("", maximum=300)
    crossfit_folds: int = meta(0, minimum=0, maximum=3)

    def __post_init__(self) -> None:
        if isinstance(self.learning_rates, (list, tuple)):
            object.__setattr__(self, "learning_rates", tuple(float(x) for x in self.learning_rates))
        errors = problems(SweepConfig, asdict(self))
        if not errors and str(self.lr_range).strip():
            # A range replaces the list: the draw is seeded, so the stored config reproduces the same rates.
            low, high = parse_range(self.lr_range)
            try:
                object.__setattr__(self, "learning_rates", log_uniform(low, high, self.range_trials, self.seed))
            except ValueError as exc:
                errors["lr_range"] = str(exc)
        errors = errors or _combination_problems(self)
        if errors:
            raise ConfigError(errors)
        object.__setattr__(self, "keep_models", KeepModels(self.keep_models))
        object.__setattr__(self, "corrections", Corrections(self.corrections))
        object.__setattr__(self, "verdict_policy", CorrectionPolicy(self.verdict_policy))
        object.__setattr__(self, "precision", Precision(self.precision))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        data["learning_rates"] = list(self.learning_rates)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepConfig:
        """Inverse of to_dict; unknown keys are ignored so old files still load."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class RunSpec:
    """One learning rate of a sweep."""

    index: int
    learning_rate: float
    run_id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.run_id:
            object.__setattr__(self, "run_id", run_id_for(self.index, self.learning_rate))


def run_id_for(index: int, learning_rate: float) -> str:
    """Stable, file-system-safe id such as 'run01-lr5e-5'."""
    return f"run{index + 1:02d}-lr{format_lr(learning_rate)}"


def format_lr(learning_rate: float) -> str:
    """Compact display of a learning rate: 5e-05 -> '5e-5', 0.001 -> '1e-3', 2.5e-05 -> '2.5e-5'."""
    mantissa, _, exponent = f"{learning_rate:.3e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = int(exponent)
    if -2 <= power <= 0:
        return f"{learning_rate:.4g}"
    return f"{mantissa}e{power}"
