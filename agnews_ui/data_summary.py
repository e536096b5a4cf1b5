"""What the Data page shows of a data set, computed once: its report, a few examples per class, text lengths.

Built from rows with text, label (names) and split, so the bundled sample, a registered data set and a draft
before registration are shown the same way. Each is cached by what it depends on: the sample and registered
sets by their files' versions, drafts by the upload's hash and the chosen options (in data_add).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.health import TEST, TRAIN, LengthSummary, check_health, text_lengths
from agnews_core.data.registry import MANIFEST_FILE, DatasetRegistry
from agnews_core.data.sources import load_source, sample_folder
from agnews_ui.resources import FileVersion, file_version

logger = logging.getLogger(__name__)

EXAMPLES_PER_CLASS = 3
LENGTH_SAMPLE = 5_000  # rows tokenized for the histogram: about 1 s on 2 CPU cores; the shape is settled by then
MAX_LENGTH = SweepConfig.__dataclass_fields__["max_length"].default  # the sweep's default: longer texts are cut


@dataclass(frozen=True)
class DataSummary:
    """A data set's report (the health report as a dict), label names, examples per class and text lengths."""

    report: dict[str, Any]
    label_names: tuple[str, ...]
    examples: pd.DataFrame  # label, split, row, text: the first EXAMPLES_PER_CLASS training rows of each class
    lengths: LengthSummary
    length_note: str  # how lengths were counted, e.g. the tokenizer, or why words were counted instead


@st.cache_resource(show_spinner="Loading the MiniLM tokenizer…")
def minilm_tokenizer() -> tuple[Any, str]:
    """The default model's tokenizer (the model weights are not loaded), or None and why it could not load."""
    try:
        from transformers import AutoTokenizer

        from agnews_core.modeling.models import minilm_path

        return AutoTokenizer.from_pretrained(minilm_path()), ""
    except Exception as exc:  # noqa: BLE001 - any failure falls back to counting words, and says so
        logger.warning("MiniLM tokenizer unavailable, counting words: %s", exc)
        return None, f"{type(exc).__name__}: {exc}"


def measure_lengths(texts: list[str]) -> tuple[LengthSummary, str]:
    """Lengths in MiniLM tokens ([CLS] and [SEP] included, as the model sees them), else in words, with a note."""
    tokenizer, problem = minilm_tokenizer()
    if tokenizer is None:
        return text_lengths(texts, sample=LENGTH_SAMPLE), f"in words (the MiniLM tokenizer could not be loaded: {problem})"

    def count_tokens(batch: list[str]) -> list[int]:
        ids = tokenizer(batch, return_attention_mask=False, return_token_type_ids=False, verbose=False)["input_ids"]
        return [len(i) for i in ids]

    return text_lengths(texts, count_tokens=count_tokens, sample=LENGTH_SAMPLE), \
        "in tokens of the MiniLM tokenizer (the default model), [CLS] and [SEP] included"


def summarise(rows: pd.DataFrame, report: dict[str, Any], label_names: tuple[str, ...]) -> DataSummary:
    """A summary of rows with text, label (names), split and row columns, given their report."""
    usable = rows[rows["text"].notna() & rows["label"].notna()]
    usable = usable[usable["text"].astype(str).str.strip() != ""]
    order = {name: i for i, name in enumerate(label_names)}
    train = usable[usable["split"] == TRAIN]
    examples = train.groupby("label", sort=False).head(EXAMPLES_PER_CLASS)
    examples = examples.assign(order=examples["label"].map(order)).sort_values(["order", "row"], kind="stable")
    texts = usable["text"].astype(str).tolist()
    lengths, note = measure_lengths(texts)
    note += (f", on a seeded sample of {lengths.measured_rows:,} of {len(texts):,} texts"
             if lengths.measured_rows < len(texts) else f", on all {len(texts):,} texts")
    return DataSummary(report, label_names, examples[["label", "split", "row", "text"]].reset_index(drop=True),
                       lengths, note)


def sample_version() -> tuple[FileVersion, FileVersion]:
    """Versions of the bundled sample's two files."""
    folder = sample_folder()
    return file_version(folder / "train.parquet"), file_version(folder / "test.parquet")


@st.cache_data(show_spinner="Checking the bundled sample…", max_entries=2)
def sample_summary(version: tuple[FileVersion, FileVersion]) -> DataSummary:
    """The bundled AG News sample's summary, its health report computed (the sample is not registered)."""
    data = load_source("sample")
    frames = []
    for split, table in ((TRAIN, data.train), (TEST, data.test)):
        frames.append(pd.DataFrame({"text": table["text"].astype(object).to_numpy(),
                                    "label": [data.labels.name(int(i)) for i in table["label"]],
                                    "split": split, "row": range(1, len(table) + 1)}))
    rows = pd.concat(frames, ignore_index=True)
    return summarise(rows, check_health(rows).to_dict(), data.labels.names)


def manifest_version(root: Path, dataset_id: str) -> FileVersion:
    """The version of a registered data set's manifest: a removed and re-registered id gets a new one."""
    return file_version(DatasetRegistry(root).folder / dataset_id / MANIFEST_FILE)


@st.cache_data(show_spinner="Reading the data set…", max_entries=8)
def registered_summary(root: str, dataset_id: str, version: FileVersion) -> DataSummary:
    """A registered data set's summary with the report stored at registration (computed only if it is missing)."""
    registry = DatasetRegistry(Path(root))
    manifest = registry.get(dataset_id)
    names = manifest.label_names
    frames = [registry.rows(manifest, split).assign(split=split) for split in (TRAIN, TEST)]
    rows = pd.concat(frames, ignore_index=True)
    rows["label"] = [names[int(i)] for i in rows["label"]]
    report = registry.report(manifest) or check_health(rows).to_dict()
    return summarise(rows, report, names)
