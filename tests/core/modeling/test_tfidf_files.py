"""A fitted TF-IDF pipeline saved as JSON + safetensors loads back as a scorer with the same probabilities, and
anything off makes it refit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agnews_core.data.sources import load_source
from agnews_core.modeling.tfidf import BASELINE, DEMO, SUSPECTS, class_probabilities, fit_tfidf
from agnews_core.modeling.tfidf_files import ARRAYS_FILE, SETTINGS_FILE, load_fitted, save_fitted
from agnews_core.modeling.tfidf_scorer import TfidfScorer

META = {"data": "sample", "train_rows": 600}


@pytest.fixture(scope="module")
def rows():  # noqa: ANN201
    source = load_source("sample")
    return source.train.head(600), source.test["text"].head(400).astype(str).tolist()


@pytest.fixture(scope="module")
def fitted(rows):  # noqa: ANN201
    return fit_tfidf(DEMO, rows[0], 42)


def _saved(fitted, folder, rows, recipe=DEMO, seed: int = 42):  # noqa: ANN001, ANN202
    save_fitted(fitted, recipe, seed, folder, META, rows[0]["text"].head(8).tolist())
    return folder


def test_a_loaded_pipeline_gives_identical_probabilities_without_scikit_learn(fitted, rows, tmp_path) -> None:
    folder = _saved(fitted, tmp_path / "demo", rows)
    loaded = load_fitted(folder, DEMO, 42, META)
    assert isinstance(loaded, TfidfScorer)
    texts = [*rows[1], "", "zzz unseen words only", "Oil prices jump as supply fears grow"]
    assert np.array_equal(class_probabilities(loaded, texts), class_probabilities(fitted, texts))


def test_only_sgd_pipelines_are_saved(rows, tmp_path) -> None:
    with pytest.raises(ValueError, match="only SGD"):
        _saved(fit_tfidf(BASELINE, rows[0], 42), tmp_path / "baseline", rows, BASELINE)
    assert not (tmp_path / "baseline").exists()


def test_loading_does_not_import_scikit_learn(fitted, rows, tmp_path) -> None:
    import subprocess
    import sys

    folder = _saved(fitted, tmp_path / "demo", rows)
    code = ("import sys\nfrom agnews_core.modeling.tfidf import DEMO\n"
            "from agnews_core.modeling.tfidf_files import load_fitted\n"
            f"scorer = load_fitted(__import__('pathlib').Path({str(folder)!r}), DEMO, 42, {META!r})\n"
            "print(type(scorer).__name__, 'sklearn' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert shown.stdout.split() == ["TfidfScorer", "False"], shown.stderr


def test_the_files_are_json_and_safetensors_only(fitted, rows, tmp_path) -> None:
    folder = _saved(fitted, tmp_path / "demo", rows)
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["demo", SETTINGS_FILE, ARRAYS_FILE])
    assert b"pickle" not in (folder / ARRAYS_FILE).read_bytes()[:200]
    saved = json.loads((folder / SETTINGS_FILE).read_text())
    assert len(saved["vocabulary"]) == len(fitted.steps[0][1].vocabulary_)


def test_nothing_saved_loads_as_none(tmp_path) -> None:
    assert load_fitted(tmp_path / "nothing", DEMO, 42, META) is None


@pytest.mark.parametrize("mismatch", ["seed", "recipe", "meta", "scikit-learn", "vectorizer settings",
                                      "unsupported vectorizer"])
def test_a_mismatched_save_is_not_used(mismatch: str, fitted, rows, tmp_path) -> None:
    folder = _saved(fitted, tmp_path / "demo", rows)
    seed, recipe, meta = 42, DEMO, META
    if mismatch == "seed":
        seed = 43
    elif mismatch == "recipe":
        recipe = SUSPECTS
    elif mismatch == "meta":
        meta = {**META, "train_rows": 601}
    else:
        saved = json.loads((folder / SETTINGS_FILE).read_text())
        if mismatch == "scikit-learn":
            saved["scikit-learn"] = "0.1"
        elif mismatch == "vectorizer settings":
            saved["features"]["ngram_range"] = [1, 3]
        else:
            saved["vectorizer"]["strip_accents"] = "unicode"
        (folder / SETTINGS_FILE).write_text(json.dumps(saved))
    assert load_fitted(folder, recipe, seed, meta) is None


@pytest.mark.parametrize("damage", ["truncated json", "truncated arrays", "missing arrays", "vocabulary short",
                                    "vocabulary reordered", "probe changed"])
def test_a_damaged_save_is_not_used(damage: str, fitted, rows, tmp_path, caplog) -> None:
    folder = _saved(fitted, tmp_path / "demo", rows)
    settings, arrays = folder / SETTINGS_FILE, folder / ARRAYS_FILE
    saved = json.loads(settings.read_text())
    if damage == "truncated json":
        settings.write_text(settings.read_text()[:1000])
    elif damage == "truncated arrays":
        arrays.write_bytes(arrays.read_bytes()[:5000])
    elif damage == "missing arrays":
        arrays.unlink()
    else:
        if damage == "vocabulary short":
            saved["vocabulary"] = saved["vocabulary"][:-1]
        elif damage == "vocabulary reordered":  # same size and shapes, wrong columns: only the probes catch it
            saved["vocabulary"] = saved["vocabulary"][1:] + saved["vocabulary"][:1]
        else:
            saved["probes"]["probabilities"][0][0] += 1e-12
        settings.write_text(json.dumps(saved))
    with caplog.at_level("WARNING"):
        assert load_fitted(folder, DEMO, 42, META) is None
    if damage in ("vocabulary reordered", "probe changed"):
        assert "no longer score" in caplog.text


def test_saving_again_replaces_the_old_save(fitted, rows, tmp_path) -> None:
    folder = _saved(fitted, tmp_path / "demo", rows)
    (folder / ARRAYS_FILE).write_bytes(b"damaged")
    _saved(fitted, folder, rows)
    assert load_fitted(folder, DEMO, 42, META) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no staging folder left behind
