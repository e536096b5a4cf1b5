"""Load rows from a registered data set, AG News on the Hub, a folder or the bundled sample; make seeded splits."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from agnews_core.config.artifacts_root import default_root
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.hub_check import hub_is_reachable
from agnews_core.labels import AG_NEWS, LabelSet

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
    labels: LabelSet = AG_NEWS
    dataset_id: str = ""  # a registered data set's id and version, e.g. 'tickets-v2'; empty for other sources


@dataclass(frozen=True)
class DataSplits:
    """Rows a sweep trains, validates and tests on (raw text, never decoded tokens)."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    description: str
    labels: LabelSet = AG_NEWS
    dataset_id: str = ""


def sample_folder() -> Path:
    """Folder of the bundled offline sample."""
    return Path(str(resources.files("agnews_core.data") / "sample_data"))


def sample_headlines(per_label: int = 2, frame: pd.DataFrame | None = None, max_labels: int = 20) -> list[str]:
    """The first per_label test texts of each label (of the first max_labels), label by label, to try a model:
    from `frame` (a data set's test rows) or the bundled sample."""
    if frame is None:
        frame = pd.read_parquet(sample_folder() / "test.parquet", columns=["text", "label"])
    frame = frame[frame["label"] < max_labels]
    return frame.groupby("label").head(per_label).sort_values("label", kind="stable")["text"].tolist()


def resolve_source(spec: str) -> str:
    """Turn 'auto' into 'hub' or 'sample'; other specs pass through."""
    if spec != "auto":
        return spec
    chosen = "hub" if hub_is_reachable() else "sample"
    logger.info("data source 'auto' resolved to %s", chosen)
    return chosen


def load_source(spec: str, artifacts_root: Path | None = None) -> SourceData:
    """Load train and test tables for a registered data set (name or id), 'hub', 'sample', 'auto' or a folder."""
    resolved = resolve_source(spec)
    if resolved not in ("hub", "sample") and not Path(resolved).expanduser().is_dir():
        return _load_registered(resolved, artifacts_root)
    train, test, description, labels = _load_cached(resolved, _folder_stamp(resolved))
    return SourceData(train.copy(), test.copy(), description, labels)


def _load_registered(spec: str, artifacts_root: Path | None) -> SourceData:
    from agnews_core.data.drafts import DataSetError
    from agnews_core.data.registry import DatasetRegistry

    registry = DatasetRegistry(artifacts_root or default_root())
    manifest = registry.find(spec)
    if manifest is None:
        known = ", ".join(m.id for m in registry.latest())
        raise DataError(f"data source {spec!r} is not 'auto', 'hub', 'sample', an existing folder or a registered "
                        f"data set ({'registered: ' + known if known else 'none is registered yet'})")
    try:
        train, test = (_cached_rows(registry.folder / manifest.id / f"{split}.parquet") for split in ("train", "test"))
    except (OSError, DataSetError, ValueError) as exc:
        raise DataError(f"data set {manifest.id} cannot be read: {exc}") from exc
    return SourceData(train.copy(), test.copy(), manifest.describe(), manifest.labels, manifest.id)


@lru_cache(maxsize=4)
def _cached_rows(path: Path) -> pd.DataFrame:
    # A registered version never changes, so its path is a sound cache key.
    return pd.read_parquet(path, columns=["text", "label"])


def _folder_stamp(resolved: str) -> tuple[tuple[str, float], ...]:
    """Names and modification times of a folder's files, so edited files are read again."""
    folder = Path(resolved).expanduser()
    if resolved in ("hub", "sample") or not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime) for p in folder.iterdir() if p.is_file()))


@lru_cache(maxsize=4)
def _load_cached(resolved: str, _stamp: tuple[tuple[str, float], ...] = ()
                 ) -> tuple[pd.DataFrame, pd.DataFrame, str, LabelSet]:
    if resolved == "hub":
        return _load_hub()
    if resolved == "sample":
        train, test, labels = _load_folder(sample_folder())
        return train, test, f"bundled AG News sample ({len(train):,} train / {len(test):,} test rows)", labels
    folder = Path(resolved).expanduser()
    if not folder.is_dir():
        raise DataError(f"data source {resolved!r} is not 'auto', 'hub', 'sample' or an existing folder")
    train, test, labels = _load_folder(folder)
    return train, test, f"folder {folder} ({len(train):,} train / {len(test):,} test rows)", labels


def _load_hub() -> tuple[pd.DataFrame, pd.DataFrame, str, LabelSet]:
    try:
        from datasets import load_dataset

        dataset = load_dataset(HUB_DATASET)
    except Exception as exc:  # noqa: BLE001 - any Hub failure becomes one clear message
        raise DataError(f"could not load {HUB_DATASET} from the Hugging Face Hub ({type(exc).__name__}: {exc}); "
                        "use --data sample or a folder when offline") from exc
    train, test, labels = _with_labels(dataset["train"].to_pandas(), dataset["test"].to_pandas(), "hub")
    return train, test, f"Hugging Face Hub {HUB_DATASET} ({len(train):,} train / {len(test):,} test rows)", labels


def _find_split_file(folder: Path, split: str) -> Path:
    candidates = sorted(p for p in folder.iterdir() if p.name.startswith(split) and p.suffix in (".parquet", ".csv"))
    parquet = [p for p in candidates if p.suffix == ".parquet"]
    chosen = (parquet or candidates)[:1]
    if not chosen:
        raise DataError(f"no {split}*.parquet or {split}*.csv file in {folder}")
    return chosen[0]


def _load_folder(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, LabelSet]:
    frames = []
    for split in ("train", "test"):
        path = _find_split_file(folder, split)
        try:
            raw = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        except Exception as exc:  # noqa: BLE001 - unreadable file becomes a message
            raise DataError(f"could not read {path}: {type(exc).__name__}: {exc}") from exc
        frames.append(_columns(raw, str(path)))
    return _with_labels(frames[0], frames[1], str(folder))


def _columns(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Keep the text and label columns, rows with both; refuse a file without them or without any text."""
    missing = [c for c in ("text", "label") if c not in frame.columns]
    if missing:
        raise DataError(f"{where} has no {' or '.join(repr(c) for c in missing)} column "
                        f"(found: {', '.join(map(str, frame.columns)) or 'none'})")
    frame = frame[["text", "label"]].dropna()
    text = frame["text"].astype(str)
    keep = text.str.strip() != ""
    if not keep.any():
        raise DataError(f"{where} has no non-empty text")
    return pd.DataFrame({"text": text[keep].to_numpy(), "label": frame["label"][keep].to_numpy()})


def _with_labels(train: pd.DataFrame, test: pd.DataFrame, where: str) -> tuple[pd.DataFrame, pd.DataFrame, LabelSet]:
    """Label ids and their names: AG News's ids 0..3 as they are; any other labels named by their values
    (integers in numeric order, strings sorted), so a folder of someone else's labels works too."""
    numbers = [pd.to_numeric(f["label"], errors="coerce") for f in (train, test)]
    if all(n.notna().all() and n.eq(n.round()).all() and n.between(0, AG_NEWS.size - 1).all() for n in numbers):
        return (*(f.assign(label=n.astype("int64")) for f, n in zip((train, test), numbers, strict=True)), AG_NEWS)
    from agnews_core.data.columns import ColumnError, label_names, normalise_integers

    named = [normalise_integers(f["label"].map(lambda v: str(v).strip())) for f in (train, test)]
    try:
        labels = LabelSet(label_names(*named))
    except ColumnError as exc:
        raise DataError(f"{where}: {exc}") from None
    ids = labels.label2id
    return (*(f.assign(label=n.map(ids).astype("int64")) for f, n in zip((train, test), named, strict=True)), labels)


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
        labels=source.labels,
        dataset_id=source.dataset_id,
    )


def available_sizes(source: SourceData, validation_fraction: float = 0.2) -> dict[str, int]:
    """Largest train, eval and test sizes a source allows."""
    validation = math.ceil(len(source.train) * validation_fraction)  # as train_test_split rounds
    return {"train": len(source.train) - validation, "eval": validation, "test": len(source.test)}
