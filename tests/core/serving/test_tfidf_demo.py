"""The TF-IDF live demo: fitted on the bundled sample, same Prediction shape as the fine-tuned Predictor."""

from __future__ import annotations

import pytest

from agnews_core.data.sources import load_source
from agnews_core.labels import LABELS
from agnews_core.modeling.baselines import tfidf_baseline
from agnews_core.modeling.tfidf import BASELINE, DEMO, tfidf_pipeline
from agnews_core.serving.predictor import Prediction, TextError
from agnews_core.serving.tfidf_demo import NAME, SEED, TfidfPredictor


@pytest.fixture(scope="module")
def fitted_in(tmp_path_factory: pytest.TempPathFactory):
    """(demo predictor, the empty working folder it was fitted in)."""
    folder = tmp_path_factory.mktemp("tfidf-cwd")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return TfidfPredictor.fit_sample(), folder


@pytest.fixture(scope="module")
def demo(fitted_in) -> TfidfPredictor:
    return fitted_in[0]


def test_demo_is_named_for_what_it_is(demo: TfidfPredictor) -> None:
    assert demo.name == NAME == "TF-IDF + logistic regression, fitted on the bundled sample"
    assert demo.train_rows == len(load_source("sample").train)


def test_demo_prediction_has_the_live_shape(demo: TfidfPredictor) -> None:
    prediction = demo.predict("Oil prices jump as OPEC cuts output")
    assert isinstance(prediction, Prediction)
    assert len(prediction.probabilities) == len(LABELS)
    assert sum(prediction.probabilities) == pytest.approx(1.0, abs=1e-6)
    assert prediction.confidence == max(prediction.probabilities) and prediction.latency_ms > 0
    assert prediction.label == "Business"
    assert demo.predict("Yankees beat Red Sox in extra innings to win the series").label == "Sports"
    assert demo.predict("word " * 30_000).truncated
    with pytest.raises(TextError):
        demo.predict("  ")


def test_demo_scores_like_the_baseline_on_the_sample_test_rows(demo: TfidfPredictor) -> None:
    source = load_source("sample")
    test = source.test.sample(n=1000, random_state=0)
    hits = sum(demo.predict(t).label_id == y for t, y in zip(test["text"], test["label"], strict=True))
    baseline = tfidf_baseline(source.train, test, seed=42)
    # Same features, logistic regression fitted by SGD (fast) instead of lbfgs: within 1.5 points of it.
    assert hits / len(test) == pytest.approx(baseline.accuracy, abs=0.015)
    assert hits / len(test) > 0.85


def test_demo_uses_the_baseline_features_and_the_demo_recipe(demo: TfidfPredictor) -> None:
    features, classifier = (step for _, step in demo.pipeline.steps)
    baseline_features = tfidf_pipeline(BASELINE, seed=1).steps[0][1]
    assert features.get_params() == baseline_features.get_params()
    assert classifier.get_params() == DEMO.classifier(SEED).get_params()
    assert classifier.loss == "log_loss"


def test_fitting_writes_nothing_to_disk(fitted_in) -> None:
    _, folder = fitted_in
    assert list(folder.iterdir()) == []  # no artifacts/ folder, no pickle: it lives in memory only


def test_the_demo_fits_on_a_registered_data_set_and_answers_with_its_names(tmp_path) -> None:
    from dataset_fixtures import TICKETS

    from agnews_core.data.columns import ColumnMapping
    from agnews_core.data.drafts import DraftOptions, draft_from_tables
    from agnews_core.data.readers import read_path
    from agnews_core.data.registry import DatasetRegistry

    draft = draft_from_tables(read_path(TICKETS), None, DraftOptions("tickets", ColumnMapping(("body",), "topic")))
    DatasetRegistry(tmp_path).register(draft, drop=False)
    demo = TfidfPredictor.fit_data("tickets", tmp_path)
    answer = demo.predict("the server is down with a timeout error")
    assert answer.label == "outage" and len(answer.probabilities) == 3
    assert [name for name, _ in answer.ranked()][0] == "outage" and "tickets-v1" in demo.name


# ---- the demo saved in the artifacts folder, loaded by the next server instead of fitted
@pytest.fixture(scope="module")
def saved_root(tmp_path_factory: pytest.TempPathFactory):
    """An artifacts folder holding the saved sample demo, and the predictor that was fitted to save it."""
    root = tmp_path_factory.mktemp("demo-artifacts")
    return root, TfidfPredictor.saved_or_fit("sample", root)


def _demo_folders(root) -> list:  # noqa: ANN001
    return sorted((root / "cache" / "tfidf-demo").iterdir())


def _count_fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from agnews_core.serving import tfidf_demo

    fits: list[int] = []
    real = tfidf_demo.fit_tfidf
    monkeypatch.setattr(tfidf_demo, "fit_tfidf", lambda *args: fits.append(1) or real(*args))
    return fits


def test_a_saved_demo_loads_without_fitting_and_answers_identically(saved_root, monkeypatch) -> None:
    import numpy as np

    from agnews_core.modeling.tfidf import class_probabilities

    root, fitted = saved_root
    fits = _count_fits(monkeypatch)
    loaded = TfidfPredictor.saved_or_fit("sample", root)
    assert fits == [] and loaded.pipeline is not fitted.pipeline
    assert (loaded.name, loaded.train_rows, loaded.labels) == (fitted.name, fitted.train_rows, fitted.labels)
    texts = load_source("sample").test["text"].astype(str).tolist()
    assert np.array_equal(class_probabilities(loaded.pipeline, texts), class_probabilities(fitted.pipeline, texts))
    text = "Oil prices jump as supply fears grow"
    assert loaded.predict(text).probabilities == fitted.predict(text).probabilities


def test_the_saved_demo_holds_no_pickle(saved_root) -> None:
    root, _ = saved_root
    [folder] = _demo_folders(root)
    assert folder.name.startswith("sample-")
    files = [p for p in root.rglob("*") if p.is_file()]
    assert sorted(p.suffix for p in files) == [".json", ".safetensors"]


def test_a_damaged_saved_demo_is_fitted_again_and_saved_again(saved_root, tmp_path, monkeypatch) -> None:
    import shutil

    root = tmp_path / "artifacts"
    shutil.copytree(saved_root[0], root)
    [folder] = _demo_folders(root)
    arrays = folder / "arrays.safetensors"
    arrays.write_bytes(arrays.read_bytes()[: arrays.stat().st_size // 2])
    fits = _count_fits(monkeypatch)
    demo = TfidfPredictor.saved_or_fit("sample", root)
    assert fits == [1] and demo.predict("Yankees beat Red Sox in extra innings").label == "Sports"
    TfidfPredictor.saved_or_fit("sample", root)
    assert fits == [1]  # saved again, whole


def test_a_demo_saved_with_another_seed_is_not_used(saved_root, tmp_path, monkeypatch) -> None:
    import shutil

    root = tmp_path / "artifacts"
    shutil.copytree(saved_root[0], root)
    fits = _count_fits(monkeypatch)
    TfidfPredictor.saved_or_fit("sample", root, seed=SEED + 1)
    assert fits == [1]


def test_without_an_artifacts_folder_the_demo_is_fitted_and_nothing_is_created(tmp_path) -> None:
    root = tmp_path / "not-created-yet"  # the first sweep creates it; the demo does not
    demo = TfidfPredictor.saved_or_fit("sample", root)
    assert demo.predict("Oil prices jump as OPEC cuts output").label == "Business"
    assert not root.exists()


def test_a_registered_data_sets_demo_is_saved_under_its_id(tmp_path, monkeypatch) -> None:
    from dataset_fixtures import TICKETS

    from agnews_core.data.columns import ColumnMapping
    from agnews_core.data.drafts import DraftOptions, draft_from_tables
    from agnews_core.data.readers import read_path
    from agnews_core.data.registry import DatasetRegistry

    draft = draft_from_tables(read_path(TICKETS), None, DraftOptions("tickets", ColumnMapping(("body",), "topic")))
    DatasetRegistry(tmp_path).register(draft, drop=False)
    fitted = TfidfPredictor.saved_or_fit("tickets", tmp_path)
    assert [f.name.split("-v1-")[0] for f in _demo_folders(tmp_path)] == ["tickets"]
    fits = _count_fits(monkeypatch)
    loaded = TfidfPredictor.saved_or_fit("tickets", tmp_path)
    text = "the server is down with a timeout error"
    assert fits == [] and loaded.predict(text).probabilities == fitted.predict(text).probabilities
    assert loaded.name == fitted.name and loaded.labels == fitted.labels
