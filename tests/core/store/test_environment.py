"""Reproducibility record: versions, hardware, precision and a checksum of the exact rows used."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from agnews_core.config.precision import HardwareInfo, Precision
from agnews_core.store.environment import (
    EnvironmentRecord,
    data_checksum,
    data_record,
    environment_record,
    package_versions,
)

HARDWARE = HardwareInfo(device="cpu", cpu_model="Test CPU", cpu_flags=("avx2", "avx512_bf16"), logical_cpus=2)


def _frames() -> dict[str, pd.DataFrame]:
    train = pd.DataFrame({"text": ["Oil jumps", "Team wins", "Chip ships"], "label": [2, 1, 3]})
    test = pd.DataFrame({"text": ["Rates hold"], "label": [2]})
    return {"train": train, "test": test}


def test_checksum_changes_with_any_text_label_order_or_split() -> None:
    frames = _frames()
    digest = data_checksum(frames)
    assert len(digest) == 64 and digest == data_checksum(_frames())
    changed_text = {**frames, "test": pd.DataFrame({"text": ["Rates hold!"], "label": [2]})}
    changed_label = {**frames, "test": pd.DataFrame({"text": ["Rates hold"], "label": [1]})}
    reordered = {**frames, "train": frames["train"].iloc[::-1]}
    moved = {"train": pd.concat([frames["train"], frames["test"]]), "test": frames["test"].iloc[:0]}
    others = {data_checksum(f) for f in (changed_text, changed_label, reordered, moved)}
    assert digest not in others and len(others) == 4


def test_checksum_ignores_extra_columns_and_the_index() -> None:
    frames = _frames()
    extra = {name: f.assign(source="x").set_axis(range(10, 10 + len(f))) for name, f in frames.items()}
    assert data_checksum(extra) == data_checksum(frames)


def test_record_holds_versions_hardware_precision_and_data() -> None:
    record = environment_record(Precision.BF16, data_record("bundled sample", _frames()), hardware=HARDWARE)
    assert record.data.rows == {"train": 3, "test": 1}
    assert record.precision is Precision.BF16 and record.hardware == HARDWARE
    assert record.torch.startswith("2.") and record.transformers[0].isdigit() and record.datasets[0].isdigit()
    assert record.python.count(".") == 2


def test_record_round_trips_through_json() -> None:
    record = environment_record(Precision.FP32, data_record("folder /data", _frames()), hardware=HARDWARE)
    text = json.dumps(record.to_dict())
    back = EnvironmentRecord.from_dict(json.loads(text))
    assert back == record
    assert json.loads(text)["hardware"]["cpu_flags"] == ["avx2", "avx512_bf16"]


def test_malformed_record_is_an_error() -> None:
    data = environment_record(Precision.FP32, data_record("s", _frames()), hardware=HARDWARE).to_dict()
    with pytest.raises(ValueError):
        EnvironmentRecord.from_dict({**data, "precision": "fp7"})
    with pytest.raises(KeyError):
        EnvironmentRecord.from_dict({k: v for k, v in data.items() if k != "data"})


def test_missing_package_is_named_not_raised() -> None:
    assert package_versions(("no-such-package-i11",)) == {"no-such-package-i11": "not installed"}
