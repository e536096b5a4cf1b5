"""What a baseline's scores depend on, as a JSON-ready key: equal keys, equal scores, so a sweep may reuse them.

Rows enter as checksums of the exact rows used (data_checksum: texts and labels, in order), which covers the data
set and its version, the split sizes and seed that chose the rows, and verdict corrections applied to the train
rows. Validation rows are left out: neither baseline sees them, so a new validation size still reuses both.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from agnews_core.config.sweep_config import MINILM, TINY
from agnews_core.data.sources import DataSplits
from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.modeling.tfidf import BASELINE
from agnews_core.store.environment import data_checksum, package_versions

KEY_VERSION = 1  # bump when what a baseline computes changes in code, so older entries stop matching


def rows_checksum(frame: Any, split: str) -> dict[str, Any]:
    """Row count and checksum of one split's texts and labels."""
    return {"rows": len(frame), "sha256": data_checksum({split: frame})}


def model_fingerprint(spec: str) -> str:
    """The model spec, plus its files' names, sizes and modification times when it is a folder (a folder
    retrained in place is another model); a Hub id stands for itself."""
    if spec == TINY:
        return TINY
    if spec == MINILM:
        from agnews_core.modeling.models import minilm_path

        folder = Path(minilm_path())
    else:
        folder = Path(spec).expanduser()
    if not folder.is_dir():
        return spec
    files = sorted((p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
                   for p in folder.rglob("*") if p.is_file())
    return f"{spec} {files}"


def tfidf_key(splits: DataSplits, seed: int) -> dict[str, Any]:
    """The TF-IDF baseline's inputs: its recipe and seed, the train rows it fits, the test rows it scores."""
    return {
        "baseline": TFIDF, "version": KEY_VERSION, "recipe": asdict(BASELINE), "seed": seed,
        "labels": list(splits.labels.names), "dataset_id": splits.dataset_id,
        "train": rows_checksum(splits.train, "train"), "test": rows_checksum(splits.test, "test"),
        "packages": package_versions(("scikit-learn",)),
    }


def untrained_key(splits: DataSplits, model: str, seed: int, max_length: int, precision: str) -> dict[str, Any]:
    """The untrained model's inputs: the model and seed (its random head), max length, the precision it is scored
    in, and the test rows; the tiny model builds its tokenizer from the train texts, so those count for it."""
    return {
        "baseline": UNTRAINED, "version": KEY_VERSION, "model": model_fingerprint(model), "seed": seed,
        "max_length": max_length, "precision": precision, "labels": list(splits.labels.names),
        "dataset_id": splits.dataset_id, "test": rows_checksum(splits.test, "test"),
        "tokenizer_texts": rows_checksum(splits.train.assign(label=0), "train") if model == TINY else None,
        "packages": package_versions(("torch", "transformers")),
    }
