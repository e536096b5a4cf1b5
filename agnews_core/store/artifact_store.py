"""The artifacts folder: atomic writes, safe ids, and a reader that survives broken entries."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from agnews_core.store.layout import RUN_FILE as RUN_FILE  # re-exported: live_predict and its tests import it from here
from agnews_core.store.layout import RUNS_DIR, ArtifactPaths, default_root
from agnews_core.store.layout import validate_id as validate_id  # re-exported: older callers import it from here
from agnews_core.store.records import RunRecord, SweepRecord

logger = logging.getLogger(__name__)
R = TypeVar("R", SweepRecord, RunRecord)


class ArtifactError(RuntimeError):
    """An artifact is missing, unreadable or corrupt; the message says which and where."""


@dataclass(frozen=True)
class BrokenEntry:
    """A folder in artifacts/ that could not be read, and why."""

    path: str
    problem: str


def atomic_write_json(path: Path, data: Any) -> None:
    """Write JSON to a temp file in the same folder, fsync, then rename over path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, allow_nan=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def atomic_write_parquet(path: Path, frame: pd.DataFrame) -> None:
    """Write a parquet file under a temp name, then rename over path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:  # e.g. a full disk: leave no half-written file behind
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_npy(path: Path, array: np.ndarray) -> None:
    """Write a .npy file under a temp name, then rename over path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as handle:  # a file handle: np.save given a path would append '.npy' to the temp name
            np.save(handle, array, allow_pickle=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def is_fresh(path: Path, sources: list[Path]) -> bool:
    """Whether a file derived from `sources` (a run's review or map) exists and is newer than every one of them."""
    try:
        built = path.stat().st_mtime
        return all(built >= source.stat().st_mtime for source in sources)
    except OSError:
        return False


def read_fresh_parquet(path: Path, sources: list[Path]) -> pd.DataFrame | None:
    """A derived table when it is fresh (is_fresh) and readable; None otherwise, so the caller recomputes it."""
    if not is_fresh(path, sources):
        return None
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        logger.warning("recomputing the unreadable %s: %s", path, exc)
        return None


def read_json(path: Path) -> Any:
    """Parsed JSON, or ArtifactError saying what is wrong with the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{path} is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path} is corrupt (not valid JSON: {exc})") from None
    except OSError as exc:
        raise ArtifactError(f"{path} cannot be read: {exc.strerror or exc}") from None


def read_record(path: Path, record_type: type[R]) -> R:
    """A SweepRecord or RunRecord from its JSON file, or ArtifactError saying what is wrong with the file."""
    try:
        return record_type.from_dict(read_json(path))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # e.g. a JSON list, not an object
        raise ArtifactError(f"{path} is corrupt (unexpected content: {exc})") from None


class ArtifactStore:
    """Reads and writes sweeps and runs under one root folder."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.paths = ArtifactPaths(self.root)

    # ---- paths (every id is validated before it touches the file system; the layout is paths.py's)
    @property
    def sweeps_dir(self) -> Path:
        return self.paths.sweeps_dir

    def sweep_dir(self, sweep_id: str) -> Path:
        return self.paths.sweep_dir(sweep_id)

    def run_dir(self, sweep_id: str, run_id: str) -> Path:
        return self.paths.run_dir(sweep_id, run_id)

    def model_dir(self, sweep_id: str, run_id: str) -> Path:
        return self.paths.model_dir(sweep_id, run_id)

    # ---- problems with the root itself
    def root_problem(self) -> str:
        """Empty when the root is usable, else what is wrong with it."""
        if not self.root.exists():
            return f"the artifacts folder {self.root.resolve()} does not exist yet (it is created by the first sweep)"
        if not self.root.is_dir():
            return f"{self.root.resolve()} is not a folder"
        if not os.access(self.root, os.W_OK):
            return f"the artifacts folder {self.root.resolve()} is read-only: new sweeps cannot be saved"
        return ""

    # ---- writing
    def save_sweep(self, sweep: SweepRecord) -> None:
        atomic_write_json(self.paths.sweep_file(sweep.sweep_id), sweep.to_dict())

    def save_run(self, sweep_id: str, run: RunRecord) -> None:
        atomic_write_json(self.paths.run_file(sweep_id, run.run_id), run.to_dict())

    def save_predictions(self, sweep_id: str, run_id: str, frame: pd.DataFrame) -> None:
        atomic_write_parquet(self.paths.predictions_file(sweep_id, run_id), frame)

    def save_embeddings(self, sweep_id: str, run_id: str, embeddings: np.ndarray) -> None:
        """A run's embeddings (rows in predictions order), stored as float16."""
        atomic_write_npy(self.paths.embeddings_file(sweep_id, run_id), np.asarray(embeddings, dtype=np.float16))

    def save_tfidf_predictions(self, sweep_id: str, frame: pd.DataFrame) -> None:
        atomic_write_parquet(self.paths.tfidf_predictions_file(sweep_id), frame)

    def save_model_atomically(self, sweep_id: str, run_id: str, write: Callable[[Path], None]) -> None:
        """Let write() fill a temp folder, then rename it to model/: a crash never leaves half a model."""
        final = self.model_dir(sweep_id, run_id)
        staging = final.with_name(f".{final.name}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            write(staging)
            shutil.rmtree(final, ignore_errors=True)
            os.replace(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def delete_model(self, sweep_id: str, run_id: str) -> None:
        shutil.rmtree(self.model_dir(sweep_id, run_id), ignore_errors=True)

    # ---- reading
    def list_sweeps(self) -> tuple[list[SweepRecord], list[BrokenEntry]]:
        """Readable sweeps, newest first, and the folders that could not be read."""
        sweeps: list[SweepRecord] = []
        broken: list[BrokenEntry] = []
        try:
            folders = sorted(p for p in self.sweeps_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        except FileNotFoundError:
            return [], []
        except OSError as exc:
            return [], [BrokenEntry(str(self.sweeps_dir), f"cannot list: {exc.strerror or exc}")]
        for folder in folders:
            try:
                sweeps.append(self.load_sweep(folder.name))
            except (ArtifactError, ValueError, KeyError, TypeError) as exc:
                broken.append(BrokenEntry(str(folder), str(exc)))
        sweeps.sort(key=lambda s: (s.created_at, s.sweep_id), reverse=True)
        return sweeps, broken

    def load_sweep(self, sweep_id: str) -> SweepRecord:
        return read_record(self.paths.sweep_file(sweep_id), SweepRecord)

    def load_run(self, sweep_id: str, run_id: str) -> RunRecord:
        return read_record(self.paths.run_file(sweep_id, run_id), RunRecord)

    def load_runs(self, sweep: SweepRecord) -> tuple[list[RunRecord], list[BrokenEntry]]:
        """Every readable run of a sweep, in sweep order, and the broken ones."""
        runs: list[RunRecord] = []
        broken: list[BrokenEntry] = []
        for run_id in sweep.run_ids:
            try:
                runs.append(self.load_run(sweep.sweep_id, run_id))
            except (ArtifactError, ValueError) as exc:
                broken.append(BrokenEntry(str(self.sweeps_dir / sweep.sweep_id / RUNS_DIR / run_id), str(exc)))
        return runs, broken

    def load_predictions(self, sweep_id: str, run_id: str) -> pd.DataFrame:
        return _read_predictions(self.paths.predictions_file(sweep_id, run_id), "this run has no predictions")

    def load_embeddings(self, sweep_id: str, run_id: str) -> np.ndarray:
        """A run's float16 embeddings (n, dim); ArtifactError for a run written before them or a damaged file."""
        path = self.paths.embeddings_file(sweep_id, run_id)
        try:
            embeddings = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise ArtifactError(f"{path} is missing: this run did not store embeddings") from None
        except (OSError, ValueError, EOFError) as exc:
            raise ArtifactError(f"{path} is corrupt ({type(exc).__name__}: {exc})") from None
        if embeddings.ndim != 2:
            raise ArtifactError(f"{path} is corrupt (expected rows x dimensions, got shape {embeddings.shape})")
        return embeddings

    def has_embeddings(self, sweep_id: str, run_id: str) -> bool:
        return self.paths.embeddings_file(sweep_id, run_id).is_file()

    def load_tfidf_predictions(self, sweep_id: str) -> pd.DataFrame:
        """The TF-IDF baseline's test predictions; ArtifactError for a sweep older than this file."""
        return _read_predictions(self.paths.tfidf_predictions_file(sweep_id),
                                 "this sweep did not store the TF-IDF baseline's predictions")

    def has_tfidf_predictions(self, sweep_id: str) -> bool:
        return self.paths.tfidf_predictions_file(sweep_id).is_file()

    def has_model(self, sweep_id: str, run_id: str) -> bool:
        return self.paths.weights_file(sweep_id, run_id).is_file()


def _read_predictions(path: Path, missing: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise ArtifactError(f"{path} is missing: {missing}") from None
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        raise ArtifactError(f"{path} is corrupt ({type(exc).__name__}: {exc})") from None
