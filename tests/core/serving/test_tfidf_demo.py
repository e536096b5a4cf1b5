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
