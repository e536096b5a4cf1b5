"""The error map: a run's validation and test rows laid out in 2-D from their embeddings, cached beside the run.

Embeddings are what the run's classification head reads (agnews_core.modeling.batch_predict.HeadInput), stored
when the run scored its rows. A run written before that gets them from its kept model, once; a run with neither
has no map (MapUnavailable says why).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from agnews_core.store.artifact_store import (
    ArtifactError,
    ArtifactStore,
    atomic_write_parquet,
    is_fresh,
    read_fresh_parquet,
)
from agnews_core.store.records import SweepRecord
from agnews_core.text_keys import text_keys

logger = logging.getLogger(__name__)

MAP_COLUMNS = ("x", "y")
# openTSNE won on 7,600 AG News test rows x 384 dims on 2 cores (bench/error_map.py, bench/README.md section 14):
# 19.0 s in a fresh process against UMAP's 36 s (numba compiles on every server's first map), and neighbourhoods
# kept better (trustworthiness 0.991 vs 0.986).
PERPLEXITY, SEED, THREADS = 30.0, 0, 2
# openTSNE's OpenMP threads meet at a barrier every iteration: with another process busy on one of the 2 cores,
# 2 threads laid out 220-3,000 rows 2-40x slower than 1 (bench/README.md, "t-SNE threads"). Two only for a large
# map on an idle machine.
PARALLEL_ROWS = 5_000
LOCK_TIMEOUT_S = 600.0  # computing embeddings of 7,600 rows from a kept MiniLM takes about a minute on 2 cores
FROM_MODEL_BATCH = 64


class MapUnavailable(ValueError):
    """This run can have no map; the message says why and what would give one."""


@dataclass(frozen=True)
class ErrorMap:
    """A run's scored rows (its predictions columns, text_key and correct) with their place on the map (x, y)."""

    rows: pd.DataFrame
    computed_embeddings: bool = False  # the run stored none: they came from its kept model

    @property
    def errors(self) -> pd.DataFrame:
        """The misclassified rows."""
        return self.rows[~self.rows["correct"]]


def layout_2d(embeddings: np.ndarray, seed: int = SEED) -> np.ndarray:
    """(n, 2) float32 map positions of embedding rows: openTSNE over cosine distances, seeded."""
    vectors = np.asarray(embeddings, dtype=np.float32)
    n = len(vectors)
    if n < 4:  # too few rows for neighbourhoods: a line keeps them apart
        return np.column_stack([np.arange(n), np.zeros(n)]).astype(np.float32)
    from openTSNE import TSNE

    # t-SNE needs perplexity below about a third of the rows: fewer rows get a smaller one
    tsne = TSNE(perplexity=min(PERPLEXITY, (n - 1) / 3), metric="cosine", n_jobs=tsne_threads(n), random_state=seed,
                verbose=False)
    return np.asarray(tsne.fit(vectors), dtype=np.float32)


def tsne_threads(rows: int) -> int:
    """Threads for a t-SNE of this many rows: 2 only from PARALLEL_ROWS rows up, with the cores otherwise idle."""
    cores = os.cpu_count() or 1
    idle = os.getloadavg()[0] < max(cores - 1, 1)
    return min(THREADS, cores) if rows >= PARALLEL_ROWS and idle else 1


def map_is_cached(store: ArtifactStore, sweep_id: str, run_id: str) -> bool:
    """Whether a map newer than the run's predictions and embeddings is on disk."""
    return is_fresh(store.paths.map_file(sweep_id, run_id), _map_sources(store, sweep_id, run_id))


def _map_sources(store: ArtifactStore, sweep_id: str, run_id: str) -> list[Path]:
    """What a run's map is made from: its predictions, and its stored embeddings when it has them."""
    sources = [store.paths.predictions_file(sweep_id, run_id), store.paths.embeddings_file(sweep_id, run_id)]
    return [path for path in sources if path.exists()]


def run_embeddings(store: ArtifactStore, sweep: SweepRecord, run_id: str, predictions: pd.DataFrame) -> tuple[
        np.ndarray, bool]:
    """(embeddings in predictions order, whether they were computed now from the kept model); MapUnavailable when
    the run stored none and kept no weights."""
    sweep_id = sweep.sweep_id
    if store.has_embeddings(sweep_id, run_id):
        try:
            stored = store.load_embeddings(sweep_id, run_id)
        except ArtifactError as exc:
            logger.warning("recomputing unreadable embeddings of %s/%s: %s", sweep_id, run_id, exc)
        else:
            if len(stored) == len(predictions):
                return stored, False
            logger.warning("embeddings of %s/%s have %d rows, predictions %d: recomputing", sweep_id, run_id,
                           len(stored), len(predictions))
    if not store.has_model(sweep_id, run_id):
        raise MapUnavailable("this run stored no embeddings (it was written before runs kept them) and kept no "
                             "weights to compute them from: the map needs a run with embeddings or kept weights; "
                             "any new sweep stores embeddings")
    from agnews_core.modeling.batch_predict import predict_probabilities
    from agnews_core.modeling.models import load_saved

    loaded = load_saved(store.model_dir(sweep_id, run_id))
    table = predict_probabilities(loaded.model, loaded.tokenizer, predictions["text"].astype(str).tolist(),
                                  batch_size=FROM_MODEL_BATCH, max_length=sweep.config.max_length, embeddings=True)
    try:
        store.save_embeddings(sweep_id, run_id, table.embeddings)
    except OSError as exc:  # a read-only artifacts folder: use them now, keep nothing
        logger.warning("cannot keep the embeddings of %s/%s: %s", sweep_id, run_id, exc)
    return table.embeddings, True


def compute_map(store: ArtifactStore, sweep: SweepRecord, run_id: str,
                predictions: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """(x, y per predictions row, whether embeddings were computed from the kept model), computed now."""
    embeddings, computed = run_embeddings(store, sweep, run_id, predictions)
    return pd.DataFrame(layout_2d(embeddings, sweep.config.seed), columns=list(MAP_COLUMNS)), computed


def error_map(store: ArtifactStore, sweep: SweepRecord, run_id: str) -> ErrorMap:
    """The run's map, from its cache file or computed and cached first; a file lock lets one session or process
    compute while the others wait for its file. ArtifactError when the predictions cannot be read."""
    predictions = store.load_predictions(sweep.sweep_id, run_id)
    path = store.paths.map_file(sweep.sweep_id, run_id)
    lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except (OSError, Timeout):  # a read-only artifacts folder or a stuck holder: compute, keep nothing
        points = _cached(store, sweep.sweep_id, run_id, len(predictions))
        computed = False
        if points is None:
            points, computed = compute_map(store, sweep, run_id, predictions)
        return ErrorMap(map_rows(predictions, points), computed)
    try:
        points, computed = _cached(store, sweep.sweep_id, run_id, len(predictions)), False
        if points is None:
            points, computed = compute_map(store, sweep, run_id, predictions)
            atomic_write_parquet(path, points)
    finally:
        lock.release()
    return ErrorMap(map_rows(predictions, points), computed)


def map_rows(predictions: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Predictions with x, y, text_key and correct; ValueError when the map has another number of rows."""
    if len(points) != len(predictions):
        raise ValueError(f"the map has {len(points):,} rows but the predictions {len(predictions):,}")
    rows = predictions.reset_index(drop=True).copy()
    rows["x"], rows["y"] = points["x"].to_numpy(), points["y"].to_numpy()
    rows["text_key"] = text_keys(rows["text"].astype(str))
    rows["correct"] = rows["label"].to_numpy() == rows["predicted"].to_numpy()
    return rows


def _cached(store: ArtifactStore, sweep_id: str, run_id: str, rows: int) -> pd.DataFrame | None:
    """The cached points when fresh, readable and one per predictions row, else None (then recomputed)."""
    points = read_fresh_parquet(store.paths.map_file(sweep_id, run_id), _map_sources(store, sweep_id, run_id))
    if points is None:
        return None
    return points if list(points.columns) == list(MAP_COLUMNS) and len(points) == rows else None
