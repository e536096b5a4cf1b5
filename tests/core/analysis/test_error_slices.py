"""Error slices on a constructed map: clusters of errors, named by their distinctive words and label pair."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agnews_core.analysis.error_slices import TermWeights, error_slices, slice_table
from agnews_core.labels import AG_NEWS
from agnews_core.text_keys import text_key

FILLER = ["the council met on tuesday", "results were announced later", "people gathered in the square",
          "a report came out this week", "officials spoke to reporters"]


def constructed_map(seed: int = 0) -> pd.DataFrame:
    """300 right rows spread over the map, 30 oil errors (Business -> World) in one spot, 20 match errors
    (Sports -> Sci/Tech) in another, and 4 scattered errors (fewer than a slice holds)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(300):
        x, y = rng.uniform(-10, 10, size=2)
        rows.append((f"{FILLER[i % 5]} number {i}", 0, 0, x, y))
    for i in range(30):
        x, y = rng.normal([20, 20], 0.3)
        rows.append((f"crude oil prices climb again as opec meets {FILLER[i % 5]} {i}", 2, 0, x, y))
    for i in range(20):
        x, y = rng.normal([-20, 20], 0.3)
        rows.append((f"striker scores late goal in cup match {FILLER[i % 5]} {i}", 1, 3, x, y))
    for i in range(4):
        x, y = rng.uniform(-10, 10, size=2)
        rows.append((f"{FILLER[i % 5]} odd case {i}", 3, 1, x, y))
    frame = pd.DataFrame(rows, columns=["text", "label", "predicted", "x", "y"])
    frame["split"] = "test"
    frame["text_key"] = [text_key(t) for t in frame["text"]]
    frame["correct"] = frame["label"] == frame["predicted"]
    return frame


def test_each_error_cluster_becomes_a_slice_named_by_its_words_and_pair() -> None:
    rows = constructed_map()
    slices = error_slices(rows)
    assert [s.number for s in slices] == [1, 2]
    oil, match = slices
    assert (oil.size, match.size) == (30, 20)  # largest first; the scattered errors belong to no slice
    oil_words = set(" ".join(oil.words).split())
    assert {"oil", "crude"} <= oil_words and not {"council", "number", "the"} & oil_words
    assert {"striker", "goal", "cup", "match"} & set(" ".join(match.words).split())
    assert (oil.true_label, oil.predicted_label, oil.pair_share) == (2, 0, 1.0)
    assert oil.pair(AG_NEWS) == "Business -> World" and match.pair(AG_NEWS) == "Sports -> Sci/Tech"
    assert set(oil.error_keys) == set(rows["text_key"][rows["text"].str.startswith("crude")])
    # nothing but the slice's own errors lies near it: every row of its neighbourhood is wrong
    assert oil.near_rows == 30 and oil.error_rate == 1.0
    assert oil.name == " · ".join(oil.words)


def test_error_rate_counts_the_right_rows_near_a_slice() -> None:
    rows = constructed_map()
    extra = pd.DataFrame({"text": [f"calm markets {i}" for i in range(30)], "label": 2, "predicted": 2,
                          "x": 20.0, "y": 20.0, "split": "test"})
    extra["text_key"] = [text_key(t) for t in extra["text"]]
    extra["correct"] = True
    oil = error_slices(pd.concat([rows, extra], ignore_index=True))[0]
    assert oil.size == 30
    assert oil.near_rows > 30 and oil.near_errors == 30
    assert oil.error_rate == 30 / oil.near_rows < 1.0


def test_no_slices_without_clustered_errors() -> None:
    rows = constructed_map()
    assert error_slices(rows[rows["correct"] | rows["text"].str.contains("odd case")]) == []


def test_distinctive_words_skip_stop_words_digits_and_web_leftovers() -> None:
    texts = pd.Series(["the quot oil 2004 price", "quot oil price rises", "the weather today", "the weather today 2004"])
    words = TermWeights.of(texts).distinctive(np.array([True, True, False, False]))
    assert words == ("oil price",)  # the pair, not its two words again
    assert TermWeights.of(pd.Series(["the a", "an the"])).distinctive(np.array([True, False])) == ()


def test_slice_table_has_one_row_per_slice() -> None:
    rows = constructed_map()
    table = slice_table(error_slices(rows), AG_NEWS)
    assert table["errors"].tolist() == [30, 20]
    assert table["label pair"].tolist() == ["Business -> World", "Sports -> Sci/Tech"]
    assert table["error rate"].between(0, 1).all()
