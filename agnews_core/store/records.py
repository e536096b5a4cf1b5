"""Typed records of sweeps and runs, as kept in artifacts/ (JSON-ready)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from agnews_core.config.sweep_config import SweepConfig, format_lr
from agnews_core.labels import LabelSet, labels_or_default
from agnews_core.states import RunState, SweepState
from agnews_core.store.environment import EnvironmentRecord
from agnews_core.store.variant_record import VariantChoice

# Layout version written into sweep.json and run.json. 1: files from before the field existed (read as they
# are); 2: the same fields plus schema_version. Bump it when a field changes meaning, and read the old one.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class ClassMetrics:
    """Precision, recall, F1 and support of one label."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EvalMetrics:
    """Accuracy, macro-F1, per-class metrics and the confusion matrix (rows true, columns predicted)."""

    accuracy: float
    macro_f1: float
    per_class: tuple[ClassMetrics, ...]
    confusion: tuple[tuple[int, ...], ...]
    count: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        data["per_class"] = [asdict(c) for c in self.per_class]
        data["confusion"] = [list(row) for row in self.confusion]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalMetrics:
        """Inverse of to_dict."""
        return cls(
            accuracy=float(data["accuracy"]),
            macro_f1=float(data["macro_f1"]),
            per_class=tuple(ClassMetrics(**c) for c in data["per_class"]),
            confusion=tuple(tuple(int(v) for v in row) for row in data["confusion"]),
            count=int(data["count"]),
        )


@dataclass(frozen=True)
class CorrectionCounts:
    """Rows each split had relabelled or removed by verdicts."""

    relabeled_train: int = 0
    removed_train: int = 0
    relabeled_validation: int = 0
    removed_validation: int = 0
    verdicts: int = 0  # verdicts recorded for the data source when the sweep loaded it (many touch no row of it)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"correction count {f.name} must be a whole number >= 0, got {value!r}")

    @property
    def applied(self) -> int:
        """Rows changed in all."""
        return self.relabeled_train + self.removed_train + self.relabeled_validation + self.removed_validation

    def describe(self) -> str:
        """'3 corrections applied (train: 2 relabelled, 1 removed; validation: none) from 5 verdicts'."""
        def part(relabeled: int, removed: int) -> str:
            shown = [f"{n:,} {what}" for n, what in ((relabeled, "relabelled"), (removed, "removed")) if n]
            return ", ".join(shown) or "none"

        noun = "correction" if self.applied == 1 else "corrections"
        return (f"{self.applied:,} {noun} applied (train: {part(self.relabeled_train, self.removed_train)}; "
                f"validation: {part(self.relabeled_validation, self.removed_validation)}) "
                f"from {self.verdicts:,} verdict{'' if self.verdicts == 1 else 's'}")

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> CorrectionCounts:
        """Inverse of to_dict; ValueError when data is not such a dict (unknown keys are ignored)."""
        if not isinstance(data, dict):
            raise ValueError(f"corrections should be a dict of counts, got {data!r}")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class LossPoint:
    """One logged loss: train loss at a logging step or eval loss at an evaluation."""

    step: int
    epoch: float
    loss: float


@dataclass(frozen=True)
class RunRecord:
    """One learning rate of a sweep: state, curves, metrics."""

    run_id: str
    index: int
    learning_rate: float
    status: RunState = RunState.PENDING
    error: str = ""
    train_loss: tuple[LossPoint, ...] = ()
    eval_loss: tuple[LossPoint, ...] = ()
    final_eval_loss: float | None = None
    validation: EvalMetrics | None = None
    test: EvalMetrics | None = None
    total_steps: int = 0
    steps_done: int = 0
    train_seconds: float = 0.0
    train_examples_per_second: float = 0.0
    model_saved: bool = False
    started_at: str = ""
    finished_at: str = ""
    node: str = ""  # the Ray node that ran it; empty for a run on this machine's thread
    precision: str = ""  # what training ran in (fp32, bf16, fp16); empty in runs from before it was recorded
    inference_variant: VariantChoice | None = None  # how live predictions serve the saved model, by measurement

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", RunState(self.status))  # an unknown state reads as a corrupt file

    @property
    def lr_label(self) -> str:
        """Display form of the learning rate, e.g. '5e-5'."""
        return format_lr(self.learning_rate)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN losses become null)."""
        data = asdict(self)
        data["train_loss"] = [_point(p) for p in self.train_loss]
        data["eval_loss"] = [_point(p) for p in self.eval_loss]
        data["final_eval_loss"] = _finite_or_none(self.final_eval_loss)
        data["validation"] = self.validation.to_dict() if self.validation else None
        data["test"] = self.test.to_dict() if self.test else None
        data["inference_variant"] = self.inference_variant.to_dict() if self.inference_variant else None
        return {"schema_version": SCHEMA_VERSION, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        """Inverse of to_dict; reads every schema version up to SCHEMA_VERSION."""
        values = _stored_fields(cls, data)
        values["train_loss"] = tuple(_from_point(p) for p in data.get("train_loss", []))
        values["eval_loss"] = tuple(_from_point(p) for p in data.get("eval_loss", []))
        for split in ("validation", "test"):
            values[split] = EvalMetrics.from_dict(data[split]) if data.get(split) else None
        values["inference_variant"] = _variant_or_none(data.get("inference_variant"))
        return cls(**values)

    def with_changes(self, **changes: Any) -> RunRecord:
        """A copy with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True)
class SweepRecord:
    """One sweep (one job): its config, state, baselines and the ids of its runs."""

    sweep_id: str
    config: SweepConfig
    status: SweepState = SweepState.QUEUED
    created_at: str = ""
    started_at: str = ""
    finished_at: str = ""
    error: str = ""
    pid: int = 0  # process that runs it; a dead pid means the sweep was interrupted
    data_description: str = ""
    model_description: str = ""
    estimate_seconds: float | None = None
    baselines: dict[str, EvalMetrics] = field(default_factory=dict)
    run_ids: tuple[str, ...] = ()
    best_run_id: str = ""
    best_by_accuracy_run_id: str = ""
    data_source: str = ""  # the data source resolved ('auto' -> 'hub' or 'sample'): whose verdicts apply
    corrections: CorrectionCounts | None = None  # None: verdicts ignored (or a sweep from before corrections)
    environment: EnvironmentRecord | None = None  # versions, hardware, precision and data; None before it was recorded
    label_names: tuple[str, ...] = ()  # the data's classes in id order; empty before label sets (AG News)
    dataset_id: str = ""  # a registered data set's id and version ('tickets-v2'); empty for other sources
    started_by: str = ""  # who queued it (the signed-in user's email, or 'local'); empty before sign-in existed
    baselines_reused: dict[str, str] = field(default_factory=dict)  # baseline -> the sweep whose scores it reused

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", SweepState(self.status))  # an unknown state reads as a corrupt file
        object.__setattr__(self, "label_names", tuple(str(n) for n in self.label_names))

    @property
    def labels(self) -> LabelSet:
        """The sweep's label set: the one recorded, else AG News (sweeps written before label sets)."""
        return labels_or_default(self.label_names)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        data["config"] = self.config.to_dict()
        data["corrections"] = self.corrections.to_dict() if self.corrections else None
        data["baselines"] = {name: m.to_dict() for name, m in self.baselines.items()}
        data["run_ids"] = list(self.run_ids)
        data["label_names"] = list(self.label_names)
        data["environment"] = self.environment.to_dict() if self.environment else None
        return {"schema_version": SCHEMA_VERSION, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepRecord:
        """Inverse of to_dict; reads every schema version up to SCHEMA_VERSION."""
        values = _stored_fields(cls, data)
        if not isinstance(data.get("run_ids", []), list):
            raise ValueError(f"run_ids should be a list, got {data['run_ids']!r}")
        values["config"] = SweepConfig.from_dict(data["config"])
        values["baselines"] = {n: EvalMetrics.from_dict(m) for n, m in (data.get("baselines") or {}).items()}
        reused = data.get("baselines_reused") or {}
        if not isinstance(reused, dict) or not all(isinstance(v, str) for v in reused.values()):
            raise ValueError(f"baselines_reused should map baseline names to sweep ids, got {reused!r}")
        values["baselines_reused"] = {str(n): v for n, v in reused.items()}
        values["run_ids"] = tuple(data.get("run_ids", []))
        if not isinstance(data.get("label_names", []), list):
            raise ValueError(f"label_names should be a list, got {data['label_names']!r}")
        values["label_names"] = tuple(data.get("label_names", []))
        values["corrections"] = CorrectionCounts.from_dict(data["corrections"]) if data.get("corrections") else None
        values["environment"] = EnvironmentRecord.from_dict(data["environment"]) if data.get("environment") else None
        return cls(**values)

    def with_changes(self, **changes: Any) -> SweepRecord:
        """A copy with some fields changed."""
        return replace(self, **changes)


# JSON types a plain field may hold: a damaged or hand-edited file with others is reported as corrupt, not
# left to break a page later (e.g. sorting sweeps by a created_at that is a number).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "bool": (bool,), "float": (int, float), "float | None": (int, float, type(None)),
}


def schema_version(data: dict[str, Any]) -> int:
    """The layout version of a stored record: 1 when the file predates the field; ValueError when unknown."""
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"schema_version should be a whole number from 1, got {version!r}")
    if version > SCHEMA_VERSION:
        raise ValueError(f"schema_version {version} is newer than this program reads ({SCHEMA_VERSION}): update it")
    return version


def _stored_fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The record's fields found in a stored dict (others ignored), after checking its version and plain types."""
    schema_version(data)
    values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
    _check_types(cls, values)
    return values


def _check_types(cls: type, values: dict[str, Any]) -> None:
    """Raise ValueError when a plain field of a record holds the wrong JSON type."""
    for name, spec in cls.__dataclass_fields__.items():
        allowed = _JSON_TYPES.get(spec.type)
        if allowed and name in values and not isinstance(values[name], allowed):
            raise ValueError(f"{name} should be {spec.type}, got {values[name]!r}")


def _variant_or_none(raw: Any) -> VariantChoice | None:
    """The stored serving choice; a damaged one reads as none (predictions then use fp32), not as a corrupt run."""
    try:
        return VariantChoice.from_dict(raw) if raw else None
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _point(point: LossPoint) -> list[Any]:
    return [point.step, point.epoch, _finite_or_none(point.loss)]


def _from_point(raw: list[Any]) -> LossPoint:
    step, epoch, loss = raw
    return LossPoint(int(step), float(epoch), float("nan") if loss is None else float(loss))
