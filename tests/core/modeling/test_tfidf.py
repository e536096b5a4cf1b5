"""TF-IDF recipes: one vectorizer, each caller's classifier and settings, real fits on a handful of texts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, SGDClassifier

from agnews_core.modeling.tfidf import (
    BASELINE,
    DEMO,
    RECIPES,
    SUSPECTS,
    Solver,
    TfidfRecipe,
    class_probabilities,
    fit_tfidf,
    tfidf_pipeline,
)

# Each class has its own words, so a few rows per class are enough for a fit that predicts them back.
WORDS = {
    0: "election minister parliament treaty embassy summit",
    1: "goalkeeper playoffs touchdown quarterback tournament league",
    2: "earnings shareholders merger revenue dividend stocks",
    3: "software processor internet browser satellite chip",
}
PROBES = ["minister treaty summit", "quarterback league playoffs", "merger stocks revenue", "browser chip software"]


def _train(labels: tuple[int, ...] = (0, 1, 2, 3), per_class: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [{"text": " ".join(rng.choice(WORDS[label].split(), size=4)), "label": label}
            for label in labels for _ in range(per_class)]
    return pd.DataFrame(rows)


def test_every_recipe_shares_the_one_vectorizer() -> None:
    for recipe in RECIPES:
        features = tfidf_pipeline(recipe, seed=0).steps[0][1]
        assert (features.ngram_range, features.min_df, features.sublinear_tf) == ((1, 2), 1, True)
    assert {r.name for r in RECIPES} == {"baseline", "suspects", "demo"}


def test_the_baseline_is_lbfgs_logistic_regression() -> None:
    classifier = tfidf_pipeline(BASELINE, seed=7).steps[1][1]
    assert type(classifier) is LogisticRegression
    assert (classifier.C, classifier.max_iter, classifier.random_state) == (10.0, 1000, 7)
    assert classifier.solver == "lbfgs"  # sklearn's default, and what the sweep's baseline numbers came from


@pytest.mark.parametrize(("recipe", "max_iter", "tol"), [(SUSPECTS, 20, 1e-3), (DEMO, 10, None)],
                         ids=["suspects", "demo"])
def test_suspects_and_demo_are_sgd_with_a_logistic_loss(recipe: TfidfRecipe, max_iter: int, tol: float | None) -> None:
    classifier = tfidf_pipeline(recipe, seed=3).steps[1][1]
    assert type(classifier) is SGDClassifier
    assert (classifier.loss, classifier.alpha, classifier.max_iter, classifier.tol, classifier.random_state) == (
        "log_loss", 1e-5, max_iter, tol, 3)


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: r.name)
def test_each_recipe_fits_and_predicts_the_classes_it_saw(recipe: TfidfRecipe) -> None:
    pipeline = fit_tfidf(recipe, _train(), seed=0)
    assert pipeline.classes_.tolist() == [0, 1, 2, 3]
    assert pipeline.predict(PROBES).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: r.name)
def test_the_same_seed_gives_the_same_predictions(recipe: TfidfRecipe) -> None:
    train = _train()
    first = class_probabilities(fit_tfidf(recipe, train, seed=5), PROBES)
    again = class_probabilities(fit_tfidf(recipe, train, seed=5), PROBES)
    np.testing.assert_array_equal(first, again)


def test_class_probabilities_put_each_fitted_class_in_its_own_column() -> None:
    pipeline = fit_tfidf(BASELINE, _train(labels=(0, 2)), seed=0)  # labels 1 and 3 never seen
    probabilities = class_probabilities(pipeline, PROBES)
    assert probabilities.shape == (4, 4)
    assert (probabilities[:, [1, 3]] == 0).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities[0].argmax() == 0 and probabilities[2].argmax() == 2
    np.testing.assert_array_equal(probabilities[:, [0, 2]], pipeline.predict_proba(PROBES))


def test_class_probabilities_take_the_width_of_the_label_set() -> None:
    train = pd.concat([_train(), pd.DataFrame({"text": ["crater lander orbit rover"] * 6, "label": 5})])
    pipeline = fit_tfidf(DEMO, train, seed=0)
    assert class_probabilities(pipeline, ["rover orbit"], width=6)[0].argmax() == 5
    assert class_probabilities(pipeline, PROBES, width=8).shape == (4, 8)
    with pytest.raises(ValueError, match="fitted on label 5, past the 4 columns"):
        class_probabilities(pipeline, PROBES, width=4)


def test_a_recipe_rejects_settings_its_solver_does_not_take() -> None:
    with pytest.raises(ValueError, match="lbfgs takes c"):
        TfidfRecipe("odd", Solver.LBFGS, max_iter=10, alpha=1e-5)
    with pytest.raises(ValueError, match="sgd takes alpha"):
        TfidfRecipe("odd", Solver.SGD, max_iter=10, c=1.0)
    with pytest.raises(ValueError, match="max_iter"):
        TfidfRecipe("odd", Solver.SGD, max_iter=0, alpha=1e-5)
    assert TfidfRecipe("by-name", "sgd", max_iter=5, alpha=1e-4).solver is Solver.SGD
