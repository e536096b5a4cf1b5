"""Where every artifact lives: the root folder, sweeps, runs, predictions, model weights, measured throughput.

The one module that knows the layout of artifacts/:

    artifacts/                      $AGNEWS_ARTIFACTS, else artifacts/ next to app.py
      throughput.json               measured examples/s per model (estimate.py)
      sweeps/<sweep id>/sweep.json
      sweeps/<sweep id>/tfidf_predictions.parquet   the TF-IDF baseline's test predictions (sweeps written before it have none)
      sweeps/<sweep id>/runs/<run id>/run.json
      sweeps/<sweep id>/runs/<run id>/predictions.parquet
      sweeps/<sweep id>/runs/<run id>/label_review.parquet   suspected label errors, computed on first view
      sweeps/<sweep id>/runs/<run id>/crossfit.parquet       its training rows scored out of sample by a cross-fit
      sweeps/<sweep id>/runs/<run id>/embeddings.npy   float16 head inputs, rows in predictions order (newer runs)
      sweeps/<sweep id>/runs/<run id>/map.parquet      the error map's 2-D layout, computed on first view
      sweeps/<sweep id>/runs/<run id>/model/model.safetensors (+ config and tokenizer files)
      datasets/<data set id>/manifest.json, train.parquet, test.parquet   registered data sets (agnews_core.data.registry)
      verdicts/<data source>.jsonl    analysts' verdicts on gold labels (agnews_core.review.verdicts)
      cache/baselines/<key digest>.json (+ .parquet)   a baseline's scores, reused by sweeps with the same inputs
      cache/tfidf-demo/<data>-<fingerprint>/   Predict's fitted TF-IDF demo as JSON + safetensors (no pickle)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agnews_core.config.artifacts_root import APP_ROOT, DEFAULT_ROOT, ROOT_ENV, default_root

__all__ = ["APP_ROOT", "DEFAULT_ROOT", "ROOT_ENV", "ArtifactPaths", "default_root", "validate_id"]
SWEEPS_DIR, RUNS_DIR, MODEL_DIR = "sweeps", "runs", "model"
SWEEP_FILE, RUN_FILE, PREDICTIONS_FILE = "sweep.json", "run.json", "predictions.parquet"
WEIGHTS_FILE, THROUGHPUT_FILE = "model.safetensors", "throughput.json"
TFIDF_PREDICTIONS_FILE, LABEL_REVIEW_FILE = "tfidf_predictions.parquet", "label_review.parquet"
EMBEDDINGS_FILE, MAP_FILE = "embeddings.npy", "map.parquet"
CROSSFIT_FILE = "crossfit.parquet"
CACHE_DIR, BASELINE_CACHE_DIR, TFIDF_DEMO_DIR = "cache", "baselines", "tfidf-demo"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def validate_id(identifier: str, what: str = "id") -> str:
    """Return identifier if it is a safe single path component, else raise ValueError."""
    if not isinstance(identifier, str) or not _SAFE_ID.fullmatch(identifier) or ".." in identifier:
        raise ValueError(f"{what} {identifier!r} is not valid: use letters, digits, '.', '_' and '-' only")
    return identifier


@dataclass(frozen=True)
class ArtifactPaths:
    """Every path under one artifacts root; ids are validated and never lead outside the root."""

    root: Path

    @property
    def sweeps_dir(self) -> Path:
        return self.root / SWEEPS_DIR

    @property
    def throughput_file(self) -> Path:
        return self.root / THROUGHPUT_FILE

    @property
    def baseline_cache_dir(self) -> Path:
        return self.root / CACHE_DIR / BASELINE_CACHE_DIR

    def tfidf_demo_dir(self, name: str) -> Path:
        return self._inside(self.root / CACHE_DIR / TFIDF_DEMO_DIR / validate_id(name, "TF-IDF demo name"))

    def sweep_dir(self, sweep_id: str) -> Path:
        return self._inside(self.sweeps_dir / validate_id(sweep_id, "sweep id"))

    def sweep_file(self, sweep_id: str) -> Path:
        return self.sweep_dir(sweep_id) / SWEEP_FILE

    def tfidf_predictions_file(self, sweep_id: str) -> Path:
        return self.sweep_dir(sweep_id) / TFIDF_PREDICTIONS_FILE

    def run_dir(self, sweep_id: str, run_id: str) -> Path:
        return self._inside(self.sweep_dir(sweep_id) / RUNS_DIR / validate_id(run_id, "run id"))

    def run_file(self, sweep_id: str, run_id: str) -> Path:
        return self.run_dir(sweep_id, run_id) / RUN_FILE

    def predictions_file(self, sweep_id: str, run_id: str) -> Path:
        return self.run_dir(sweep_id, run_id) / PREDICTIONS_FILE

    def label_review_file(self, sweep_id: str, run_id: str) -> Path:
        return self.run_dir(sweep_id, run_id) / LABEL_REVIEW_FILE

    def crossfit_file(self, sweep_id: str, run_id: str) -> Path:
        return self.run_dir(sweep_id, run_id) / CROSSFIT_FILE

    def embeddings_file(self, sweep_id: str, run_id: str) -> Path:
        return self.run_dir(sweep_id, run_id) / EMBEDDINGS_FILE

    def map_file(self, sweep_id: str, run_id: str) -> Path:
        return self.run_dir(sweep_id, run_id) / MAP_FILE

    def model_dir(self, sweep_id: str, run_id: str) -> Path:
        return self.run_dir(sweep_id, run_id) / MODEL_DIR

    def weights_file(self, sweep_id: str, run_id: str) -> Path:
        return self.model_dir(sweep_id, run_id) / WEIGHTS_FILE

    def _inside(self, path: Path) -> Path:
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise ValueError(f"{path} is outside the artifacts folder")
        return path
