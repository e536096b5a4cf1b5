"""Drafts from a Hugging Face Hub data set: `datasets.load_dataset` with a config and split names."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from agnews_core.data.columns import ColumnError, ColumnMapping, guess_mapping
from agnews_core.data.drafts import DataSetError, Draft, DraftOptions, draft_from_frames
from agnews_core.data.hub_check import hub_is_reachable


@dataclass(frozen=True)
class HubSource:
    """Which Hub data set, config and splits to read; test_split None draws a share of train."""

    dataset: str
    config: str | None = None
    train_split: str = "train"
    test_split: str | None = "test"

    def describe(self) -> str:
        config = f" ({self.config})" if self.config else ""
        return f"hub:{self.dataset}{config}"


def draft_from_hub(source: HubSource, name: str, mapping: ColumnMapping | None = None, **options: object) -> Draft:
    """Load the splits (offline: a DataSetError saying so), map columns, use a ClassLabel's names."""
    if not hub_is_reachable():
        raise DataSetError(f"the Hugging Face Hub cannot be reached from here, so {source.dataset} cannot be "
                           "downloaded: register a file instead (CSV, TSV, JSON Lines or parquet), or retry online")
    splits = {source.train_split, *([source.test_split] if source.test_split else [])}
    try:
        from datasets import load_dataset

        loaded = {split: load_dataset(source.dataset, source.config, split=split) for split in splits}
    except Exception as exc:  # noqa: BLE001 - every Hub failure becomes one message
        raise DataSetError(f"could not load {source.describe()} from the Hugging Face Hub: "
                           f"{type(exc).__name__}: {exc}") from None
    train = loaded[source.train_split]
    chosen = mapping or guess_mapping(list(train.column_names))
    if chosen is None:
        raise DataSetError(f"{source.dataset} has columns {', '.join(train.column_names)}: say which is the text "
                           "and which the label (--text-column, --label-column)")
    names = _class_names(train.features.get(chosen.label))
    frames = {split: _strings(data.to_pandas()) for split, data in loaded.items()}
    try:
        draft_options = DraftOptions(name=name, mapping=chosen, given_label_names=names, **options)  # type: ignore[arg-type]
    except ColumnError as exc:
        raise DataSetError(str(exc)) from None
    fingerprint = "|".join(f"{split}:{getattr(data, '_fingerprint', '')}" for split, data in sorted(loaded.items()))
    return draft_from_frames(frames[source.train_split], frames.get(source.test_split or ""), draft_options,
                             source.describe(), f"{source.describe()}|{fingerprint}")


def _class_names(feature: object) -> tuple[str, ...] | None:
    names = getattr(feature, "names", None)  # datasets.ClassLabel
    return tuple(str(n) for n in names) if names else None


def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None).map(lambda v: v if v is None else str(v))
