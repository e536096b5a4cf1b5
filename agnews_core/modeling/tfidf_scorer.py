"""Class probabilities of a saved TF-IDF + SGD (log loss) pipeline without scikit-learn, so that a fresh server that
loads Predict's demo skips importing it (0.75 s of CPU; the load itself takes 0.1 s).

Each step is the one scikit-learn takes, in its order and with the same numpy and scipy calls (tokens, n-grams,
counts in a CSR array with sorted indices, log + 1, times idf, row L2 norm summed left to right, the sparse product
with the coefficients, expit, OvR normalisation), so the numbers are the same to the last bit: tests compare them
with the fitted pipeline's, and tfidf_files checks probe texts at every load.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

# Vectorizer settings this scorer reproduces; any other value of these is refused (the caller fits instead).
SUPPORTED = {"analyzer": "word", "input": "content", "preprocessor": None, "tokenizer": None, "stop_words": None,
             "strip_accents": None, "binary": False, "use_idf": True, "norm": "l2", "dtype": "<class 'numpy.float64'>"}


class TfidfScorer:
    """predict_proba and classes_ of a fitted TF-IDF + SGD log-loss pipeline, from its saved state."""

    def __init__(self, vectorizer: Mapping[str, Any], vocabulary: Sequence[str], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray, classes: np.ndarray) -> None:
        unsupported = {k: vectorizer.get(k) for k, v in SUPPORTED.items() if vectorizer.get(k) != v}
        if unsupported:
            raise ValueError(f"vectorizer settings this scorer does not reproduce: {unsupported}")
        self.token_pattern = re.compile(str(vectorizer["token_pattern"]))
        if self.token_pattern.groups:
            raise ValueError(f"token pattern {self.token_pattern.pattern!r} has groups")
        low, high = (int(n) for n in vectorizer["ngram_range"])
        self.ngram_range = (low, high)
        self.lowercase = bool(vectorizer["lowercase"])
        self.sublinear_tf = bool(vectorizer["sublinear_tf"])
        self.vocabulary = {term: index for index, term in enumerate(vocabulary)}
        if len(self.vocabulary) != len(vocabulary) or idf.shape != (len(vocabulary),) or coef.ndim != 2 \
                or coef.shape[1] != len(vocabulary) or intercept.shape != (coef.shape[0],):
            raise ValueError(f"arrays do not fit a vocabulary of {len(vocabulary)} terms: idf {idf.shape}, "
                             f"coef {coef.shape}, intercept {intercept.shape}")
        if len(classes) != max(coef.shape[0], 2) or (coef.shape[0] > 1 and coef.shape[0] != len(classes)):
            raise ValueError(f"{len(classes)} classes for {coef.shape[0]} rows of coefficients")
        self.idf, self.coef, self.intercept, self.classes_ = idf, coef, intercept, classes

    def analyze(self, text: str) -> list[str]:
        """The features of one text: lower-cased tokens, then their n-grams joined by spaces."""
        tokens = self.token_pattern.findall(text.lower() if self.lowercase else text)
        low, high = self.ngram_range
        features = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
            features.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return features

    def transform(self, texts: Sequence[str]) -> Any:
        """The (len(texts), vocabulary) TF-IDF rows as a scipy CSR array."""
        from scipy import sparse

        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for text in texts:
            counter: dict[int, int] = {}
            for feature in self.analyze(text):
                index = self.vocabulary.get(feature)
                if index is not None:
                    counter[index] = counter.get(index, 0) + 1
            indices.extend(counter)
            counts.extend(counter.values())
            indptr.append(len(indices))
        rows = sparse.csr_array((np.asarray(counts, dtype=np.intc), np.asarray(indices, dtype=np.int32),
                                 np.asarray(indptr, dtype=np.int32)), shape=(len(texts), len(self.vocabulary)),
                                dtype=np.float64)
        rows.sort_indices()
        data = rows.data
        if self.sublinear_tf:
            np.log(data, data)
            data += 1.0
        data *= self.idf[rows.indices]
        for start, end in zip(rows.indptr[:-1].tolist(), rows.indptr[1:].tolist(), strict=True):
            total = 0.0
            for value in data[start:end].tolist():
                total += value * value
            if total != 0.0:
                data[start:end] /= math.sqrt(total)
        return rows

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), len(classes_)) probabilities, as SGDClassifier(loss='log_loss').predict_proba gives them."""
        from scipy.special import expit

        scores = self.transform(texts) @ self.coef.T + self.intercept
        if scores.shape[1] == 1:
            scores = scores.reshape(-1)
        probabilities = expit(scores, out=scores)
        if probabilities.ndim == 1:
            return np.stack([1 - probabilities, probabilities], axis=1)
        total = probabilities.sum(axis=1)
        empty = total == 0
        if empty.any():  # every class at 0: uniform, as scikit-learn does
            probabilities[empty, :] = 1
            total[empty] = probabilities.shape[1]
        probabilities /= total.reshape((probabilities.shape[0], -1))
        return probabilities
