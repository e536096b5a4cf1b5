"""Turn the Sweep form's raw values into a SweepConfig, or one message per wrong field (no Streamlit here)."""

from __future__ import annotations

from dataclasses import dataclass

from agnews_core.config import SweepConfig, parse_learning_rates
from agnews_core.data import DataError, available_sizes, load_source
from agnews_core.models import MINILM, TINY, model_problem

MODEL_CHOICES = (MINILM, TINY, "other")
DATA_CHOICES = ("auto", "sample", "hub", "folder")


@dataclass(frozen=True)
class FormValues:
    """What the analyst typed, unvalidated."""

    learning_rates: str
    model_choice: str
    other_model: str
    data_choice: str
    data_folder: str
    train_size: int
    eval_size: int
    test_size: int
    epochs: float
    batch_size: int
    seed: int
    keep_models: str
    name: str


@dataclass(frozen=True)
class FormResult:
    """A valid config, or the errors keyed by field name."""

    config: SweepConfig | None
    errors: dict[str, str]
    data_note: str = ""


def model_spec(values: FormValues) -> str:
    """The model the form names."""
    return values.other_model.strip() if values.model_choice == "other" else values.model_choice


def data_spec(values: FormValues) -> str:
    """The data source the form names."""
    return values.data_folder.strip() if values.data_choice == "folder" else values.data_choice


def _sentence(message: str) -> str:
    """First letter upper-cased; unlike str.capitalize, what the analyst typed keeps its case."""
    return message[:1].upper() + message[1:]


def validate_form(values: FormValues) -> FormResult:
    """Check every field; sizes are checked against the rows the chosen data really has."""
    errors: dict[str, str] = {}
    rates: tuple[float, ...] = ()
    try:
        rates = parse_learning_rates(values.learning_rates)
    except ValueError as exc:
        errors["learning_rates"] = _sentence(str(exc))
    problem = model_problem(model_spec(values))
    if problem:
        errors["model"] = problem[0].upper() + problem[1:] + "."
    data = data_spec(values)
    note = ""
    if values.data_choice == "folder" and not data:
        errors["data"] = "Type the folder that holds train*.parquet/csv and test*.parquet/csv."
    else:
        try:
            source = load_source(data)
            note = source.description
            limits = available_sizes(source)
            for field in ("train", "eval", "test"):
                size = getattr(values, f"{field}_size")
                if size > limits[field]:
                    errors[f"{field}_size"] = f"Only {limits[field]:,} {field} rows are available in this data."
        except DataError as exc:
            errors["data"] = str(exc)
    if errors:
        return FormResult(None, errors, note)
    try:
        config = SweepConfig(
            learning_rates=rates, model=model_spec(values), data=data, train_size=values.train_size,
            eval_size=values.eval_size, test_size=values.test_size, epochs=values.epochs,
            batch_size=values.batch_size, seed=values.seed, keep_models=values.keep_models, label=values.name.strip(),
        )
    except ValueError as exc:
        return FormResult(None, {"form": _sentence(str(exc))}, note)
    return FormResult(config, {}, note)
