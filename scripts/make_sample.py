"""Rebuild the bundled offline data from ../shared/data/ag_news: a class-balanced seeded train sample and the
whole official test split (7,600 rows, the set every published AG News accuracy is measured on)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

SOURCE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ag_news"
TARGET = Path(__file__).resolve().parents[1] / "agnews_core" / "sample_data"
PER_CLASS = {"train": 2500, "test": 1900}  # 1,900 per class is the whole official test split
FILES = {"train": "train_subset.parquet", "test": "test.parquet"}


def main() -> int:
    for split, per_class in PER_CLASS.items():
        frame = pd.read_parquet(SOURCE / FILES[split])
        sample = (
            frame.groupby("label", group_keys=False)
            .sample(n=per_class, random_state=20261126)
            .sample(frac=1.0, random_state=7)
            .reset_index(drop=True)
        )
        sample.to_parquet(TARGET / f"{split}.parquet", index=False, compression="zstd")
        print(split, len(sample), sample["label"].value_counts().to_dict())
    return 0


if __name__ == "__main__":
    sys.exit(main())
