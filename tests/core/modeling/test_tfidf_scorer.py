"""The scikit-learn-free scorer of a saved TF-IDF + SGD pipeline: the fitted pipeline's probabilities to the bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agnews_core.data.sources import load_source
from agnews_core.modeling.tfidf import DEMO, class_probabilities, fit_tfidf
from agnews_core.modeling.tfidf_scorer import TfidfScorer

ODD_TEXTS = ["", "   ", "a b c", "zzz qqq", "ÉCOLE Straße ﬁne café", "U.S. oil-prices jump 5% (AP) -- again!!",
             "word " * 300, "\tTabs\nand\nnew lines", "1999 2000 2001", "x" * 2000]


def scorer_of(pipeline) -> TfidfScorer:  # noqa: ANN001
    vectorizer, classifier = (step for _, step in pipeline.steps)
    params = {k: list(v) if isinstance(v, tuple) else v if isinstance(v, str | int | float | bool | type(None))
              else str(v) for k, v in vectorizer.get_params().items()}
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return TfidfScorer(params, vocabulary, vectorizer.idf_, classifier.coef_, classifier.intercept_,
                       np.asarray(classifier.classes_))


@pytest.fixture(scope="module")
def sample():  # noqa: ANN201
    return load_source("sample")


@pytest.fixture(scope="module")
def demo(sample):  # noqa: ANN201
    return fit_tfidf(DEMO, sample.train, 42)


def test_every_sample_test_row_scores_to_the_bit(sample, demo) -> None:
    texts = [*sample.test["text"].astype(str), *ODD_TEXTS]
    assert np.array_equal(class_probabilities(scorer_of(demo), texts), class_probabilities(demo, texts))


def test_one_text_at_a_time_scores_as_a_batch(sample, demo) -> None:
    texts = sample.test["text"].astype(str).head(200).tolist()
    scorer = scorer_of(demo)
    one_by_one = np.vstack([scorer.predict_proba([text]) for text in texts])
    assert np.array_equal(one_by_one, scorer.predict_proba(texts))


def test_features_are_the_vectorizers(demo) -> None:
    analyze = demo.steps[0][1].build_analyzer()
    scorer = scorer_of(demo)
    for text in ODD_TEXTS:
        assert scorer.analyze(text) == analyze(text)
    rows = scorer.transform(ODD_TEXTS)
    expected = demo.steps[0][1].transform(ODD_TEXTS)
    assert np.array_equal(rows.toarray(), expected.toarray())


def test_two_labels_score_as_scikit_learn_does(sample) -> None:
    train = sample.train[sample.train["label"].isin([1, 2])].head(800)
    pipeline = fit_tfidf(DEMO, train, 0)
    assert pipeline.steps[1][1].coef_.shape[0] == 1  # binary: one row of coefficients
    texts = [*sample.test["text"].astype(str).head(300), *ODD_TEXTS]
    assert np.array_equal(class_probabilities(scorer_of(pipeline), texts), class_probabilities(pipeline, texts))


def test_other_vectorizer_settings_are_refused(demo) -> None:
    good = scorer_of(demo)
    vectorizer, classifier = (step for _, step in demo.steps)
    arrays = (good.idf, good.coef, good.intercept, good.classes_)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    params = {"token_pattern": r"(?u)\b\w\w+\b", "ngram_range": [1, 2], "lowercase": True, "sublinear_tf": True,
              "analyzer": "word", "input": "content", "preprocessor": None, "tokenizer": None, "stop_words": None,
              "strip_accents": None, "binary": False, "use_idf": True, "norm": "l2",
              "dtype": "<class 'numpy.float64'>"}
    TfidfScorer(params, vocabulary, *arrays)
    for change in ({"analyzer": "char"}, {"stop_words": "english"}, {"norm": "l1"}, {"binary": True},
                   {"token_pattern": r"(\w+)"}):
        with pytest.raises(ValueError):
            TfidfScorer({**params, **change}, vocabulary, *arrays)
    with pytest.raises(ValueError, match="do not fit"):
        TfidfScorer(params, vocabulary[:-1], *arrays)


def test_a_text_with_no_known_word_gets_the_intercepts_answer(demo) -> None:
    frame = pd.DataFrame({"text": ["qqqq zzzz"]})
    assert np.array_equal(scorer_of(demo).predict_proba(frame["text"].tolist()), demo.predict_proba(frame["text"]))
