"""Load AG News from the Hub, a folder or the bundled sample, and make seeded stratified splits."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.hub_check import hub_is_reachable
from agnews_core.labels import NUM_LABELS

logger = logging.getLogger(__name__)

HUB_DATASET = "fancyzhx/ag_news"


class DataError(ValueError):
    """The data source cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class SourceData:
    """The raw train and test tables of one source."""

    train: pd.DataFrame
    test: pd.DataFrame
    description: str  # what was loaded, reported to the user


@dataclass(frozen=True)
class DataSplits:
    """Rows a sweep trains, validates and tests on (raw text, never decoded tokens)."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    description: str


def sample_folder() -> Path:
    """Folder of the bundled offline sample."""
    return Path(str(resources.files("agnews_core.data") / "sample_data"))


def sample_headlines(per_label: int = 2) -> list[str]:
    """The first per_label test texts of each label in the bundled sample, label by label (to try the model)."""
    frame = pd.read_parquet(sample_folder() / "test.parquet", columns=["text", "label"])
    return frame.groupby("label").head(per_label).sort_values("label", kind="stable")["text"].tolist()


def resolve_source(spec: str) -> str:
    """Turn 'auto' into 'hub' or 'sample'; other specs pass through."""
    if spec != "auto":
        return spec
    chosen = "hub" if hub_is_reachable() else "sample"
    logger.info("data source 'auto' resolved to %s", chosen)
    return chosen


def load_source(spec: str) -> SourceData:
    """Load train and test tables for 'hub', 'sample', 'auto' or a folder path."""
    resolved = resolve_source(spec)
    train, test, description = _load_cached(resolved, _folder_stamp(resolved))
    return SourceData(train.copy(), test.copy(), description)


def _folder_stamp(resolved: str) -> tuple[tuple[str, float], ...]:
    """Names and modification times of a folder's files, so edited files are read again."""
    folder = Path(resolved).expanduser()
    if resolved in ("hub", "sample") or not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime) for p in folder.iterdir() if p.is_file()))


@lru_cache(maxsize=4)
def _load_cached(resolved: str, _stamp: tuple[tuple[str, float], ...] = ()) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    if resolved == "hub":
        return _load_hub()
    if resolved == "sample":
        train, test = _load_folder(sample_folder())
        return train, test, f"bundled AG News sample ({len(train):,} train / {len(test):,} test rows)"
    folder = Path(resolved).expanduser()
    if not folder.is_dir():
        raise DataError(f"data source {resolved!r} is not 'auto', 'hub', 'sample' or an existing folder")
    train, test = _load_folder(folder)
    return train, test, f"folder {folder} ({len(train):,} train / {len(test):,} test rows)"


def _load_hub() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    try:
        from datasets import load_dataset

        dataset = load_dataset(HUB_DATASET)
    except Exception as exc:  # noqa: BLE001 - any Hub failure becomes one clear message
        raise DataError(f"could not load {HUB_DATASET} from the Hugging Face Hub ({type(exc).__name__}: {exc}); "
                        "use --data sample or a folder when offline") from exc
    train = _validated(dataset["train"].to_pandas(), "hub train split")
    test = _validated(dataset["test"].to_pandas(), "hub test split")
    return train, test, f"Hugging Face Hub {HUB_DATASET} ({len(train):,} train / {len(test):,} test rows)"


def _find_split_file(folder: Path, split: str) -> Path:
    candidates = sorted(p for p in folder.iterdir() if p.name.startswith(split) and p.suffix in (".parquet", ".csv"))
    parquet = [p for p in candidates if p.suffix == ".parquet"]
    chosen = (parquet or candidates)[:1]
    if not chosen:
        raise DataError(f"no {split}*.parquet or {split}*.csv file in {folder}")
    return chosen[0]


def _load_folder(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = []
    for split in ("train", "test"):
        path = _find_split_file(folder, split)
        try:
            raw = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        except Exception as exc:  # noqa: BLE001 - unreadable file becomes a message
            raise DataError(f"could not read {path}: {type(exc).__name__}: {exc}") from exc
        frames.append(_validated(raw, str(path)))
    return frames[0], frames[1]


def _validated(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Keep text and label columns; reject missing columns and labels outside 0..3."""
    missing = [c for c in ("text", "label") if c not in frame.columns]
    if missing:
        raise DataError(f"{where} has no {' or '.join(repr(c) for c in missing)} column "
                        f"(found: {', '.join(map(str, frame.columns)) or 'none'})")
    frame = frame[["text", "label"]].dropna()
    labels = pd.to_numeric(frame["label"], errors="coerce")
    bad = labels.isna() | (labels != labels.round()) | (labels < 0) | (labels >= NUM_LABELS)
    if bad.any():
        examples = ", ".join(map(repr, frame.loc[bad, "label"].head(3).tolist()))
        raise DataError(f"{where} has {int(bad.sum()):,} labels outside 0..{NUM_LABELS - 1} (e.g. {examples})")
    text = frame["text"].astype(str)
    keep = text.str.strip() != ""
    if not keep.any():
        raise DataError(f"{where} has no non-empty text")
    return pd.DataFrame({"text": text[keep].to_numpy(), "label": labels[keep].astype("int64").to_numpy()})


def _stratified_take(frame: pd.DataFrame, size: int, seed: int, what: str) -> pd.DataFrame:
    if size > len(frame):
        raise DataError(f"{what} size {size:,} is larger than the {len(frame):,} rows available")
    if size == len(frame):
        return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    from sklearn.model_selection import train_test_split

    counts = frame["label"].value_counts()
    # sklearn stratifies only when both parts can hold every label; else take a plain random part
    stratify = frame["label"] if counts.min() >= 2 and min(size, len(frame) - size) >= counts.size else None
    taken, _ = train_test_split(frame, train_size=size, random_state=seed, stratify=stratify)
    return taken.reset_index(drop=True)


def make_splits(source: SourceData, config: SweepConfig) -> DataSplits:
    """Seeded stratified train/validation split of train; a stratified part of the untouched test split."""
    from sklearn.model_selection import train_test_split

    smallest = source.train["label"].value_counts().min()
    if smallest < 2:
        raise DataError("every label needs at least 2 training rows to hold some out for validation; "
                        f"{source.description} has a label with {smallest}")
    if config.final_of:  # final training: every train row may train; eval_size rows stay out for the eval curve
        validation_pool = _stratified_take(source.train, config.eval_size, config.seed, "eval")
        train_pool = source.train[~source.train["text"].isin(set(validation_pool["text"]))]
    else:
        train_pool, validation_pool = train_test_split(
            source.train, test_size=config.validation_fraction, random_state=config.seed, stratify=source.train["label"]
        )
    return DataSplits(
        train=_stratified_take(train_pool, config.train_size, config.seed, "train"),
        validation=_stratified_take(validation_pool, config.eval_size, config.seed, "eval"),
        test=_stratified_take(source.test, config.test_size, config.seed, "test"),
        description=source.description,
    )


def available_sizes(source: SourceData, validation_fraction: float = 0.2) -> dict[str, int]:
    """Largest train, eval and test sizes a source allows."""
    validation = math.ceil(len(source.train) * validation_fraction)  # as train_test_split rounds
    return {"train": len(source.train) - validation, "eval": validation, "test": len(source.test)}
