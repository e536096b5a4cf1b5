"""What a sweep ran on, for its reproducibility card: versions, hardware, precision, and the exact data."""

from __future__ import annotations

import hashlib
import logging
import platform
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pandas as pd

from agnews_core.config.precision import HardwareInfo, Precision, PrecisionError, hardware_info, resolve_precision

if TYPE_CHECKING:
    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.data.sources import DataSplits

logger = logging.getLogger(__name__)

PACKAGES = ("torch", "transformers", "datasets", "accelerate", "scikit-learn")


@dataclass(frozen=True)
class DataRecord:
    """The data source, the rows of each split used, and one checksum over all of them."""

    source: str
    rows: Mapping[str, int]  # split name -> rows, in the order hashed
    sha256: str


@dataclass(frozen=True)
class EnvironmentRecord:
    """Versions that matter, the hardware, the precision used and the data."""

    python: str
    packages: Mapping[str, str]  # name -> installed version, "not installed" when missing
    hardware: HardwareInfo
    precision: Precision
    data: DataRecord

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (for run.json / sweep.json)."""
        record = asdict(self)
        record["hardware"]["cpu_flags"] = list(self.hardware.cpu_flags)
        record["precision"] = str(self.precision)
        record["packages"] = dict(self.packages)
        record["data"]["rows"] = dict(self.data.rows)
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> EnvironmentRecord:
        """The inverse of to_dict; KeyError/ValueError on a malformed record."""
        hardware = dict(record["hardware"])
        hardware["cpu_flags"] = tuple(hardware["cpu_flags"])
        data = record["data"]
        return cls(
            python=str(record["python"]),
            packages={str(k): str(v) for k, v in record["packages"].items()},
            hardware=HardwareInfo(**hardware),
            precision=Precision(record["precision"]),
            data=DataRecord(str(data["source"]), {str(k): int(v) for k, v in data["rows"].items()}, str(data["sha256"])),
        )

    @property
    def torch(self) -> str:
        return self.packages.get("torch", "not installed")

    @property
    def transformers(self) -> str:
        return self.packages.get("transformers", "not installed")

    @property
    def datasets(self) -> str:
        return self.packages.get("datasets", "not installed")


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Installed versions, read from package metadata (imports nothing heavy)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def data_checksum(frames: Mapping[str, pd.DataFrame]) -> str:
    """sha256 over each split's name, then its rows' labels and texts, in order: same rows, same digest."""
    digest = hashlib.sha256()
    for split, frame in frames.items():
        digest.update(f"split\x00{split}\x00{len(frame)}\x00".encode())
        for text, label in zip(frame["text"].astype(str), frame["label"].astype(int), strict=True):
            digest.update(f"{label}\x1f{text}\x1e".encode())
    return digest.hexdigest()


def data_record(source: str, frames: Mapping[str, pd.DataFrame]) -> DataRecord:
    """Source description, rows per split and the checksum of the frames a sweep really used."""
    return DataRecord(source=source, rows={split: len(frame) for split, frame in frames.items()},
                      sha256=data_checksum(frames))


def environment_record(precision: Precision, data: DataRecord, hardware: HardwareInfo | None = None) -> EnvironmentRecord:
    """The record for this process: python and package versions, hardware (probed unless given)."""
    return EnvironmentRecord(
        python=platform.python_version(),
        packages=package_versions(),
        hardware=hardware or hardware_info(),
        precision=Precision(precision),
        data=data,
    )


def sweep_environment(config: SweepConfig, splits: DataSplits) -> EnvironmentRecord | None:
    """The record of a sweep about to train on splits: the precision its runs resolve to here, and the exact rows.

    None (logged) when it cannot be made: the card is worth less than the sweep.
    """
    try:
        hardware = hardware_info()
        try:
            precision = resolve_precision(config.precision, hardware)
        except PrecisionError:
            precision = Precision(config.precision)  # the runs will fail with the reason; record what was asked
        frames = {"train": splits.train, "validation": splits.validation, "test": splits.test}
        return environment_record(precision, data_record(splits.description or config.data, frames), hardware)
    except Exception:  # noqa: BLE001
        logger.exception("the environment record could not be made")
        return None
