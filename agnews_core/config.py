"""Typed, validated configuration of a learning-rate sweep."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

MAX_LEARNING_RATES = 12
DEFAULT_LEARNING_RATES: tuple[float, ...] = (5e-5, 1e-4, 2e-4)
DEFAULT_MODEL = "minilm"


class KeepModels(StrEnum):
    """Which fine-tuned weights a sweep keeps."""

    BEST = "best"
    ALL = "all"
    NONE = "none"


def parse_learning_rates(text: str) -> tuple[float, ...]:
    """Parse '5e-5, 1e-4' into floats; raise ValueError saying what is wrong."""
    if text is None or not str(text).strip():
        raise ValueError("the learning-rate list is empty: give e.g. 5e-5,1e-4,2e-4")
    rates: list[float] = []
    for raw in str(text).replace(";", ",").split(","):
        item = raw.strip()
        if not item:
            raise ValueError(f"the learning-rate list {text!r} has an empty item: separate values by single commas")
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"{item!r} is not a number: learning rates look like 5e-5") from None
        rates.append(value)
    validate_learning_rates(rates)
    return tuple(rates)


def validate_learning_rates(rates: tuple[float, ...] | list[float]) -> None:
    """Raise ValueError unless rates are 1..MAX finite values in (0, 1], without repeats."""
    if len(rates) == 0:
        raise ValueError("the learning-rate list is empty: give e.g. 5e-5,1e-4,2e-4")
    if len(rates) > MAX_LEARNING_RATES:
        raise ValueError(f"{len(rates)} learning rates given: at most {MAX_LEARNING_RATES} per sweep")
    for value in rates:
        if not math.isfinite(value):
            raise ValueError(f"learning rate {value} is not a finite number")
        if value <= 0 or value > 1:
            raise ValueError(f"learning rate {value:g} is out of range: it must be > 0 and <= 1")
    if len(set(rates)) != len(rates):
        raise ValueError("the learning-rate list repeats a value: each rate runs once")


def _positive_int(name: str, value: Any, upper: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value <= 0 or value > upper:
        raise ValueError(f"{name} must be between 1 and {upper:,}, got {value:,}")


@dataclass(frozen=True)
class SweepConfig:
    """Everything that defines one sweep; validated on creation."""

    learning_rates: tuple[float, ...] = DEFAULT_LEARNING_RATES
    model: str = DEFAULT_MODEL  # 'minilm', 'tiny', a Hub id or a local folder
    data: str = "auto"  # 'auto' (hub if it answers fast, else sample), 'hub', 'sample' or a folder
    train_size: int = 5120  # 80 % of the bundled sample; 4,000 rows x 1 epoch reached only 89.1 % (bench/README.md)
    eval_size: int = 500  # validation rows: eval loss during training and LR selection
    test_size: int = 1000  # rows of the untouched test split for final accuracy
    epochs: float = 1.5  # 90.3 % test accuracy in 9.8 min on 2 cores; 1 epoch: 89.9 % (bench/README.md)
    batch_size: int = 16
    seed: int = 42
    max_length: int = 128  # 0.7 % of AG News texts exceed 128 tokens
    warmup_ratio: float = 0.1
    evals_per_run: int = 4  # points on the eval-loss curve per run
    keep_models: KeepModels = KeepModels.BEST  # MiniLM weights are ~90 MB per run
    validation_fraction: float = 0.2  # the notebook held out 20 % of train
    label: str = ""  # free-text name the analyst gives the sweep

    def __post_init__(self) -> None:
        object.__setattr__(self, "learning_rates", tuple(float(x) for x in self.learning_rates))
        validate_learning_rates(self.learning_rates)
        if not str(self.model).strip():
            raise ValueError("model is empty: use 'minilm', 'tiny', a Hub id or a folder")
        if not str(self.data).strip():
            raise ValueError("data is empty: use 'auto', 'hub', 'sample' or a folder")
        _positive_int("train size", self.train_size, 200_000)
        _positive_int("eval size", self.eval_size, 100_000)
        _positive_int("test size", self.test_size, 100_000)
        _positive_int("batch size", self.batch_size, 1024)
        _positive_int("max length", self.max_length, 512)
        _positive_int("evals per run", self.evals_per_run, 100)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {self.seed!r}")
        if not isinstance(self.epochs, (int, float)) or not math.isfinite(self.epochs):
            raise ValueError(f"epochs must be a number, got {self.epochs!r}")
        if not 0 < self.epochs <= 20:
            raise ValueError(f"epochs must be > 0 and <= 20, got {self.epochs:g}")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup ratio must be in [0, 1), got {self.warmup_ratio}")
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation fraction must be in (0, 1), got {self.validation_fraction}")
        if self.keep_models not in set(KeepModels):
            raise ValueError(f"keep_models must be one of {', '.join(KeepModels)}")
        object.__setattr__(self, "keep_models", KeepModels(self.keep_models))
        if len(self.label) > 200:
            raise ValueError("sweep name is longer than 200 characters")

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
