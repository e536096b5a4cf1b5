"""A fitted TF-IDF pipeline on disk without pickle: settings and vocabulary as JSON, arrays as safetensors.

Loading builds the recipe's unfitted pipeline (the same vectorizer and classifier, the same settings) and sets the
fitted state back: the vocabulary, idf, coefficients, intercepts and classes, which is everything predict_proba
reads. The probabilities of a few probe texts, written at save time, are computed again at load time; any
difference, like any file that does not read, a recipe or setting that changed, or another scikit-learn, makes
load_fitted return None, and the caller fits again.
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

from agnews_core.modeling.tfidf import TfidfRecipe, class_probabilities, tfidf_features, tfidf_pipeline
from agnews_core.store.artifact_store import atomic_write_json, read_json

logger = logging.getLogger(__name__)

SETTINGS_FILE, ARRAYS_FILE = "pipeline.json", "arrays.safetensors"
FORMAT_VERSION = 1
ARRAYS = ("idf", "coef", "intercept", "classes")


def settings(recipe: TfidfRecipe, seed: int, meta: Mapping[str, Any]) -> dict[str, Any]:
    """Everything a saved pipeline must match to be used: recipe, seed, vectorizer settings, scikit-learn, meta."""
    features = {name: str(value) for name, value in sorted(tfidf_features().get_params().items())}
    return {"format": FORMAT_VERSION, "recipe": {k: str(v) for k, v in asdict(recipe).items()}, "seed": seed,
            "features": features, "scikit-learn": metadata.version("scikit-learn"), "meta": dict(meta)}


def save_fitted(pipeline: Any, recipe: TfidfRecipe, seed: int, folder: Path, meta: Mapping[str, Any],
                probes: Sequence[str]) -> None:
    """Write a fitted pipeline of recipe to folder, replacing what is there; a crash leaves the old one or none."""
    from safetensors.numpy import save_file

    vectorizer, classifier = (step for _, step in pipeline.steps)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    arrays = {"idf": vectorizer.idf_, "coef": classifier.coef_, "intercept": classifier.intercept_,
              "classes": np.asarray(classifier.classes_)}
    width = int(np.asarray(classifier.classes_).max()) + 1
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        save_file({name: np.ascontiguousarray(array) for name, array in arrays.items()}, str(staging / ARRAYS_FILE))
        atomic_write_json(staging / SETTINGS_FILE, {
            **settings(recipe, seed, meta), "vocabulary": vocabulary,
            "probes": {"texts": list(probes), "width": width,
                       "probabilities": class_probabilities(pipeline, list(probes), width).tolist()},
        })
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_fitted(folder: Path, recipe: TfidfRecipe, seed: int, meta: Mapping[str, Any]) -> Any | None:
    """The pipeline saved in folder when it matches recipe, seed and meta and scores its probes as saved; else
    None (a missing folder silently, anything else logged)."""
    if not (folder / SETTINGS_FILE).is_file():
        return None
    try:
        saved = read_json(folder / SETTINGS_FILE)
        expected = settings(recipe, seed, meta)
        changed = [name for name in expected if saved.get(name) != json.loads(json.dumps(expected[name]))]
        if changed:
            raise ValueError(f"saved with other {', '.join(changed)}")
        pipeline = _rebuilt(recipe, seed, saved["vocabulary"], folder / ARRAYS_FILE)
        probes = saved["probes"]
        again = class_probabilities(pipeline, list(probes["texts"]), int(probes["width"]))
        if not np.array_equal(again, np.asarray(probes["probabilities"], dtype=np.float64)):
            raise ValueError("its probe texts no longer score as they did when it was saved")
        return pipeline
    except Exception as exc:  # noqa: BLE001 - JSON, safetensors and sklearn errors alike: fit again
        logger.warning("not using the saved TF-IDF pipeline in %s: %s", folder, exc)
        return None


def _rebuilt(recipe: TfidfRecipe, seed: int, vocabulary: list[str], arrays_file: Path) -> Any:
    """recipe's pipeline with the saved fitted state set back."""
    from safetensors.numpy import load_file

    arrays = load_file(str(arrays_file))
    if sorted(arrays) != sorted(ARRAYS):
        raise ValueError(f"the arrays file holds {sorted(arrays)}, not {sorted(ARRAYS)}")
    coef = arrays["coef"]
    if coef.ndim != 2 or arrays["idf"].shape != (len(vocabulary),) or coef.shape[1] != len(vocabulary):
        raise ValueError(f"shapes do not fit a vocabulary of {len(vocabulary)}: idf {arrays['idf'].shape}, "
                         f"coef {coef.shape}")
    pipeline = tfidf_pipeline(recipe, seed)
    vectorizer, classifier = (step for _, step in pipeline.steps)
    vectorizer.vocabulary_ = {term: index for index, term in enumerate(vocabulary)}
    vectorizer.fixed_vocabulary_ = False  # as after fit: the vocabulary was learnt, not given
    vectorizer.idf_ = arrays["idf"]  # scikit-learn's setter builds the inner TfidfTransformer
    classifier.coef_, classifier.intercept_, classifier.classes_ = coef, arrays["intercept"], arrays["classes"]
    classifier.n_features_in_ = coef.shape[1]
    return pipeline
