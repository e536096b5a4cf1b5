"""Error slices: clusters of a run's misclassified rows on its error map, each named by its most distinctive words
and its main (true -> predicted) label pair, with its size and the error rate around it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from agnews_core.labels import LabelSet

# HDBSCAN over the errors' map positions beat k-means on a real run (bench/error_map.py, bench/README.md section
# 14): its slices were purer in label pair and denser in errors around them, and it leaves scattered errors out.
MIN_SLICE_SHARE = 0.02  # a slice holds at least 2 % of the errors...
MIN_SLICE_ROWS = 5  # ...and never fewer than 5 rows: a smaller group is anecdote, not a slice
# HDBSCAN's excess-of-mass choice sweeps into a cluster the outliers still attached where the cluster is born; their
# membership strength is near 0 (0.01 on tests' constructed map, where members had 0.47 and up): leave them out.
CORE_STRENGTH = 0.1
NEAR = 10  # a slice's neighbourhood: the 10 nearest map rows (right or wrong) of each of its errors
NAME_WORDS = 3
# Web-text leftovers (HTML entities and link parts) that are never what a slice is about.
NOISE_WORDS = frozenset({"quot", "amp", "lt", "gt", "nbsp", "href", "http", "https", "www", "com", "font", "br"})


@dataclass(frozen=True)
class ErrorSlice:
    """One cluster of misclassified rows on the map."""

    number: int  # 1 = the largest slice
    words: tuple[str, ...]  # most distinctive first
    true_label: int  # the main (true -> predicted) pair of its errors
    predicted_label: int
    pair_share: float  # share of its errors with that pair
    size: int  # misclassified rows in the slice
    near_rows: int  # rows of its neighbourhood, right or wrong (its errors included)
    near_errors: int  # misclassified rows of its neighbourhood
    error_keys: tuple[str, ...]  # text keys of its misclassified rows
    near_positions: tuple[int, ...]  # positions in the map rows of its neighbourhood

    @property
    def error_rate(self) -> float:
        """Errors of the slice's neighbourhood / all rows near it."""
        return self.near_errors / self.near_rows if self.near_rows else 0.0

    @property
    def name(self) -> str:
        """'oil · crude · prices'."""
        return " · ".join(self.words) or f"slice {self.number}"

    def pair(self, labels: LabelSet) -> str:
        """'Business -> Sci/Tech'."""
        return f"{labels.name(self.true_label)} -> {labels.name(self.predicted_label)}"


def cluster_errors(points: np.ndarray) -> np.ndarray:
    """A slice id per error position (-1: in no slice), by HDBSCAN over map positions (deterministic)."""
    from sklearn.cluster import HDBSCAN

    if len(points) < 2 * MIN_SLICE_ROWS:
        return np.full(len(points), -1, dtype=np.int64)
    size = max(MIN_SLICE_ROWS, round(MIN_SLICE_SHARE * len(points)))
    found = HDBSCAN(min_cluster_size=size, min_samples=MIN_SLICE_ROWS, copy=True).fit(points)
    return np.where(found.probabilities_ >= CORE_STRENGTH, found.labels_, -1).astype(np.int64)


@dataclass(frozen=True)
class TermWeights:
    """TF-IDF weights of every map row's text, fitted once and asked for each slice's distinctive words.

    The features follow agnews_core.modeling.tfidf's (words and bigrams, sublinear tf), without English stop words,
    digits and web leftovers, and a term must occur in two texts: a slice is named by what its texts share.
    """

    weights: Any  # scipy sparse (rows, terms), or None when no term is left
    terms: np.ndarray

    @classmethod
    def of(cls, texts: pd.Series) -> TermWeights:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                     token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
                                     stop_words=sorted(ENGLISH_STOP_WORDS | NOISE_WORDS))
        try:
            return cls(vectorizer.fit_transform(texts.astype(str)), vectorizer.get_feature_names_out())
        except ValueError:  # nothing left after stop words (or fewer than two texts): no names
            return cls(None, np.array([], dtype=object))

    def distinctive(self, inside: np.ndarray, count: int = NAME_WORDS) -> tuple[str, ...]:
        """The terms whose mean weight inside the mask most exceeds their mean weight outside it."""
        inside = np.asarray(inside, dtype=bool)
        if self.weights is None or not inside.any() or inside.all():
            return ()
        present = np.asarray((self.weights[inside] > 0).sum(axis=0)).ravel()
        lift = (np.asarray(self.weights[inside].mean(axis=0)).ravel()
                - np.asarray(self.weights[~inside].mean(axis=0)).ravel())
        lift[present < min(2, int(inside.sum()))] = -np.inf
        chosen: list[str] = []
        for index in np.argsort(-lift, kind="stable"):
            if lift[index] <= 0 or len(chosen) == count:
                break
            term = str(self.terms[index])
            if set(term.split()) <= {w for c in chosen for w in c.split()}:
                continue  # 'oil prices' after 'oil' and 'prices' says nothing new
            chosen = [c for c in chosen if not set(c.split()) <= set(term.split())] + [term]
        return tuple(chosen)


def error_slices(rows: pd.DataFrame) -> list[ErrorSlice]:
    """The slices of a map's rows (ErrorMap.rows: text, label, predicted, x, y, text_key, correct), largest first."""
    from sklearn.neighbors import NearestNeighbors

    rows = rows.reset_index(drop=True)
    wrong = np.flatnonzero(~rows["correct"].to_numpy(dtype=bool))
    points = rows[["x", "y"]].to_numpy(dtype=np.float64)
    ids = cluster_errors(points[wrong])
    found = [c for c in np.unique(ids) if c >= 0]
    if not found:
        return []
    near = NearestNeighbors(n_neighbors=min(NEAR, len(rows))).fit(points)
    correct = rows["correct"].to_numpy(dtype=bool)
    terms = TermWeights.of(rows["text"])
    slices = []
    for cluster in found:
        members = wrong[ids == cluster]
        neighbourhood = np.unique(near.kneighbors(points[members], return_distance=False))
        pairs = Counter(zip(rows["label"].to_numpy()[members], rows["predicted"].to_numpy()[members], strict=True))
        (true, predicted), pair_rows = pairs.most_common(1)[0]
        inside = np.zeros(len(rows), dtype=bool)
        inside[members] = True
        slices.append(ErrorSlice(
            number=0, words=terms.distinctive(inside), true_label=int(true),
            predicted_label=int(predicted), pair_share=pair_rows / len(members), size=len(members),
            near_rows=len(neighbourhood), near_errors=int((~correct[neighbourhood]).sum()),
            error_keys=tuple(rows["text_key"].to_numpy()[members].tolist()),
            near_positions=tuple(int(i) for i in neighbourhood)))
    slices.sort(key=lambda s: (-s.size, s.name))
    return [_numbered(s, i + 1) for i, s in enumerate(slices)]


def slice_table(slices: list[ErrorSlice], labels: LabelSet) -> pd.DataFrame:
    """One row per slice: number, name, label pair, size, error rate (its share of the pair in 'pair share')."""
    return pd.DataFrame({
        "slice": [s.number for s in slices],
        "name": [s.name for s in slices],
        "label pair": [s.pair(labels) for s in slices],
        "pair share": [s.pair_share for s in slices],
        "errors": [s.size for s in slices],
        "rows near it": [s.near_rows for s in slices],
        "error rate": [s.error_rate for s in slices],
    })


def _numbered(found: ErrorSlice, number: int) -> ErrorSlice:
    from dataclasses import replace

    return replace(found, number=number)
