"""Errors page: label-pair filters from the URL and the widgets, search, errors-only, sort, pages, CSV export."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from agnews_core.labels import LABELS
from agnews_core.store.artifact_store import ArtifactStore

from .conftest import values

ERRORS = "pages/errors.py"


@pytest.fixture
def predictions(artifacts, finished) -> pd.DataFrame:
    """The best run's test predictions, as stored."""
    frame = ArtifactStore(artifacts).load_predictions(finished.sweep_id, finished.best_run_id)
    return frame[frame["split"] == "test"]


def count_line(at) -> str:
    """The '**N misclassified rows** of M test rows (...)' line."""
    lines = [m.value for m in at.markdown if "rows**" in m.value]
    assert len(lines) == 1, values(at.markdown)
    return lines[0]


def shown_count(at) -> int:
    """N from the count line."""
    return int(re.match(r"\*\*([\d,]+) ", count_line(at)).group(1).replace(",", ""))


def errors_of(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["label"] != frame["predicted"]]


def test_empty_errors_say_to_start_a_sweep(open_page) -> None:
    at = open_page(ERRORS)
    assert values(at.info) == ["No runs yet: start a sweep on the Sweep page."]
    assert not at.dataframe


def test_default_shows_every_error_of_the_best_run(open_page, finished, predictions) -> None:
    at = open_page(ERRORS)
    assert at.selectbox(key="run").value == finished.best_run_id
    errors = errors_of(predictions)
    assert count_line(at).startswith(f"**{len(errors):,} misclassified rows** of {len(predictions):,} test rows")
    assert at.selectbox(key="errors_true").value == "any" and at.selectbox(key="errors_pred").value == "any"


def test_pair_from_the_url_filters_rows(open_page, finished, predictions) -> None:
    errors = errors_of(predictions)
    true_id, predicted_id = errors.groupby(["label", "predicted"]).size().idxmax()
    at = open_page(ERRORS, sweep=finished.sweep_id, run=finished.best_run_id, true=str(true_id), pred=str(predicted_id))
    expected = errors[(errors["label"] == true_id) & (errors["predicted"] == predicted_id)]
    assert shown_count(at) == len(expected) > 0
    assert f"true {LABELS[true_id]}, predicted {LABELS[predicted_id]}" in count_line(at)
    table = at.dataframe[0].value
    assert set(table["true label"]) == {LABELS[true_id]} and set(table["predicted"]) == {LABELS[predicted_id]}


def test_label_selectboxes_change_the_count_and_the_url(open_page, predictions) -> None:
    errors = errors_of(predictions)
    true_id = int(errors["label"].value_counts().idxmax())
    at = open_page(ERRORS)
    at.selectbox(key="errors_true").select(LABELS[true_id]).run()
    assert shown_count(at) == int((errors["label"] == true_id).sum())
    assert at.query_params["true"] == str(true_id) and "pred" not in at.query_params
    predicted_id = int(errors[errors["label"] == true_id]["predicted"].value_counts().idxmax())
    at.selectbox(key="errors_pred").select(LABELS[predicted_id]).run()
    assert shown_count(at) == int(((errors["label"] == true_id) & (errors["predicted"] == predicted_id)).sum())
    assert at.query_params["pred"] == str(predicted_id)
    at.selectbox(key="errors_true").select("any").run()
    assert shown_count(at) == int((errors["predicted"] == predicted_id).sum())
    assert "true" not in at.query_params


def test_a_pair_without_errors_says_how_to_widen_the_filter(open_page, predictions) -> None:
    at = open_page(ERRORS, true="0", pred="0")  # true World predicted World is never an error
    assert shown_count(at) == 0
    assert values(at.info) == ["No rows match these filters. Choose 'any' for a label or clear the search."]
    assert not at.dataframe


def test_bad_label_params_mean_any_label(open_page, predictions) -> None:
    at = open_page(ERRORS, true="9", pred="abc")
    assert at.selectbox(key="errors_true").value == "any" and at.selectbox(key="errors_pred").value == "any"
    assert shown_count(at) == len(errors_of(predictions))


def test_search_narrows_rows_case_insensitively(open_page, predictions) -> None:
    errors = errors_of(predictions)
    word = max(errors.iloc[0]["text"].split(), key=len)  # a word that occurs in at least one error
    expected = errors[errors["text"].str.contains(word, case=False, regex=False)]
    at = open_page(ERRORS)
    at.text_input(key="errors_query").input(word.upper()).run()
    assert 0 < shown_count(at) == len(expected) < len(errors)
    assert all(word.lower() in text.lower() for text in at.dataframe[0].value["text"])
    at.text_input(key="errors_query").input("zzqx no such words").run()
    assert shown_count(at) == 0


def test_errors_only_off_shows_every_row(open_page, predictions) -> None:
    at = open_page(ERRORS)
    at.toggle(key="errors_only").set_value(False).run()
    assert count_line(at).startswith(f"**{len(predictions):,} matching rows** of {len(predictions):,} test rows")


def test_sort_order_by_confidence(open_page, finished) -> None:
    at = open_page(ERRORS)
    first = list(at.dataframe[0].value["confidence"])
    assert first == sorted(first, reverse=True)
    at.get("button_group")[0].set_value("least confident first").run()
    least = list(at.dataframe[0].value["confidence"])
    assert least == sorted(least)
    assert least[0] <= first[-1]


def test_pagination_reaches_the_last_page(open_page, predictions) -> None:
    at = open_page(ERRORS)
    at.toggle(key="errors_only").set_value(False).run()  # every test row, so there are several pages
    total = len(predictions)
    pages = -(-total // 25)
    assert pages > 1
    page = at.number_input(key="errors_page")
    assert page.label == f"Page (of {pages})" and page.value == 1
    assert len(at.dataframe[0].value) == 25
    first_page_texts = set(at.dataframe[0].value["text"])
    page.set_value(pages).run()
    assert len(at.dataframe[0].value) == total - 25 * (pages - 1)
    assert f"Page {pages} of {pages}; select a row to read its whole text (shown as plain text)." in values(at.caption)
    assert not first_page_texts & set(at.dataframe[0].value["text"])
    at.selectbox(key="errors_page_size").select(100).run()
    assert len(at.dataframe[0].value) == min(100, total)


def test_validation_rows_can_be_reviewed(open_page, artifacts, finished) -> None:
    frame = ArtifactStore(artifacts).load_predictions(finished.sweep_id, finished.best_run_id)
    validation = frame[frame["split"] == "validation"]
    at = open_page(ERRORS)
    at.selectbox(key="errors_split").select("validation").run()
    assert f"of {len(validation):,} validation rows" in count_line(at)
    assert shown_count(at) == len(errors_of(validation))


def test_csv_download_button_is_offered(open_page, finished) -> None:
    at = open_page(ERRORS)
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Download these rows as CSV", "Export all verdicts as CSV"]
