"""What a user typed for a sweep (CLI flags or the Sweep form) -> a SweepConfig, or one message per wrong field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agnews_core.config.fields import FieldInfo, fields_of, parse
from agnews_core.config.sweep_config import ConfigError, SweepConfig

FORM = "form"  # the key of a problem that belongs to no one field
SIZE_ROWS = {"train_size": "train", "eval_size": "eval", "test_size": "test"}  # field -> rows of available_sizes


@dataclass(frozen=True)
class SweepRequest:
    """A valid config, or the errors keyed by field name (sentences, ready to show)."""

    config: SweepConfig | None
    errors: dict[str, str] = field(default_factory=dict)
    data_note: str = ""  # what the chosen data is, e.g. 'bundled AG News sample (10,000 train / 7,600 test rows)'


def exposed_fields() -> tuple[FieldInfo, ...]:
    """The sweep fields a user sets, in declaration order: each has a CLI flag and a form widget."""
    return tuple(f for f in fields_of(SweepConfig) if f.exposed)


def sentence(message: str) -> str:
    """First letter upper-cased; unlike str.capitalize, what the user typed keeps its case."""
    return message[:1].upper() + message[1:]


def tracker_problem(tracker: str) -> str:
    """Why runs cannot report to this tracker here (its package is missing); empty when they can."""
    import importlib.util

    if tracker == "none" or importlib.util.find_spec(tracker) is not None:
        return ""
    return f"{tracker} is not installed here: pip install {tracker}, or choose 'none'"


def executor_problem(executor: str) -> str:
    """Why sweeps cannot run on this executor here (Ray is not installed); empty when they can."""
    from agnews_core.config.sweep_config import RAY
    from agnews_core.sweeps.executors.ray_cluster import INSTALL_HINT, ray_available

    return INSTALL_HINT if executor == RAY and not ray_available() else ""


def validate_request(raw: Mapping[str, Any], artifacts_root: Path | None = None) -> SweepRequest:
    """Parse and check every field at once; sizes are checked against the rows the chosen data really has.

    `raw` maps field names to what was typed (text or widget numbers); fields left out take their defaults.
    `artifacts_root` is where registered data set names are looked up (default: the default artifacts root).
    """
    from agnews_core.data.sources import DataError, available_sizes, load_source, make_splits
    from agnews_core.modeling.models import model_problem

    infos = {f.name: f for f in fields_of(SweepConfig)}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, typed in raw.items():
        if name not in infos:
            errors[FORM] = f"{name!r} is not a sweep setting"
            continue
        try:
            values[name] = parse(infos[name], typed)
        except ValueError as exc:
            errors[name] = str(exc)
    config = None
    try:
        config = SweepConfig(**values)
    except ConfigError as exc:
        errors = {**exc.errors, **errors}
    chosen = {**{f.name: f.default for f in infos.values()}, **values}
    if "model" not in errors and (problem := model_problem(chosen["model"])):
        errors["model"] = problem
    if "report_to" not in errors and (problem := tracker_problem(chosen["report_to"])):
        errors["report_to"] = problem
    if "executor" not in errors and (problem := executor_problem(chosen["executor"])):
        errors["executor"] = problem
    note = ""
    if "data" not in errors:
        try:
            source = load_source(chosen["data"], artifacts_root)
            note = source.description
            limits = available_sizes(source, chosen["validation_fraction"])
            for name, rows in SIZE_ROWS.items():
                if name not in errors and chosen[name] > limits[rows]:
                    errors[name] = f"Only {limits[rows]:,} {rows} rows are available in this data."
            if config is not None and not errors:
                make_splits(source, config)  # e.g. a label with a single row
        except (DataError, ValueError) as exc:
            errors["data"] = str(exc)
    if errors:
        order = [*infos, FORM]  # messages in the order the fields are declared
        ordered = sorted(errors.items(), key=lambda item: order.index(item[0]))
        return SweepRequest(None, {name: sentence(message) for name, message in ordered}, note)
    return SweepRequest(config, {}, note)
