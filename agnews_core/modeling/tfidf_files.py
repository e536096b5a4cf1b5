"""A fitted TF-IDF + SGD pipeline on disk without pickle: settings and vocabulary as JSON, arrays as safetensors;
loaded as a TfidfScorer, which computes the same probabilities without importing scikit-learn.

The probabilities of a few probe texts, computed by the fitted pipeline at save time, are computed again by the
scorer at load time; any difference, like a file that does not read, another recipe, seed or vectorizer setting,
or another scikit-learn, makes load_fitted return None, and the caller fits again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from agnews_core.modeling.tfidf import FEATURES, Solver, TfidfRecipe, class_probabilities
from agnews_core.modeling.tfidf_scorer import TfidfScorer
from agnews_core.store.artifact_store import atomic_write_json, read_json

logger = logging.getLogger(__name__)

SETTINGS_FILE, ARRAYS_FILE = "pipeline.json", "arrays.safetensors"
FORMAT_VERSION = 1
ARRAYS = ("idf", "coef", "intercept", "classes")


def _plain(value: Any) -> Any:
    """A vectorizer setting as JSON keeps it (a tuple reads back as a list); other objects as their str."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def settings(recipe: TfidfRecipe, seed: int, meta: Mapping[str, Any]) -> dict[str, Any]:
    """What a saved pipeline must match to be used: recipe, seed, vectorizer settings, scikit-learn, meta."""
    return {"format": FORMAT_VERSION, "recipe": {k: str(v) for k, v in asdict(recipe).items()}, "seed": seed,
            "features": {k: _plain(v) for k, v in FEATURES.items()},
            "scikit-learn": metadata.version("scikit-learn"), "meta": dict(meta)}


def save_fitted(pipeline: Any, recipe: TfidfRecipe, seed: int, folder: Path, meta: Mapping[str, Any],
                probes: Sequence[str]) -> None:
    """Write a fitted pipeline of an SGD recipe to folder, replacing what is there; a crash leaves the old one
    or none. ValueError for a recipe or vectorizer the scorer cannot reproduce."""
    from safetensors.numpy import save_file

    if recipe.solver is not Solver.SGD:
        raise ValueError(f"recipe {recipe.name!r} ({recipe.solver}): only SGD log-loss pipelines are saved")
    vectorizer, classifier = (step for _, step in pipeline.steps)
    params = {k: _plain(v) for k, v in vectorizer.get_params().items()}
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    arrays = {"idf": vectorizer.idf_, "coef": classifier.coef_, "intercept": classifier.intercept_,
              "classes": np.asarray(classifier.classes_)}
    TfidfScorer(params, vocabulary, **arrays)  # refuses settings it does not reproduce, before anything is written
    width = int(arrays["classes"].max()) + 1
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        save_file({name: np.ascontiguousarray(array) for name, array in arrays.items()}, str(staging / ARRAYS_FILE))
        atomic_write_json(staging / SETTINGS_FILE, {
            **settings(recipe, seed, meta), "vectorizer": params, "vocabulary": vocabulary,
            "probes": {"texts": list(probes), "width": width,
                       "probabilities": class_probabilities(pipeline, list(probes), width).tolist()},
        })
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_fitted(folder: Path, recipe: TfidfRecipe, seed: int, meta: Mapping[str, Any]) -> TfidfScorer | None:
    """The scorer of the pipeline saved in folder when it matches recipe, seed and meta and scores its probes as
    saved; else None (a missing folder silently, anything else logged)."""
    if not (folder / SETTINGS_FILE).is_file():
        return None
    try:
        from safetensors.numpy import load_file

        saved = read_json(folder / SETTINGS_FILE)
        expected = settings(recipe, seed, meta)
        changed = [name for name in expected if saved.get(name) != json.loads(json.dumps(expected[name]))]
        if changed:
            raise ValueError(f"saved with other {', '.join(changed)}")
        arrays = load_file(str(folder / ARRAYS_FILE))
        if sorted(arrays) != sorted(ARRAYS):
            raise ValueError(f"the arrays file holds {sorted(arrays)}, not {sorted(ARRAYS)}")
        scorer = TfidfScorer(saved["vectorizer"], saved["vocabulary"], **arrays)
        probes = saved["probes"]
        again = class_probabilities(scorer, list(probes["texts"]), int(probes["width"]))
        if not np.array_equal(again, np.asarray(probes["probabilities"], dtype=np.float64)):
            raise ValueError("its probe texts no longer score as they did when it was saved")
        return scorer
    except Exception as exc:  # noqa: BLE001 - JSON, safetensors and shape errors alike: fit again
        logger.warning("not using the saved TF-IDF pipeline in %s: %s", folder, exc)
        return None
