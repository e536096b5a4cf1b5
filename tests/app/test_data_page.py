"""Data page: the bundled sample's real report, registered data sets with their labels and versions, and adding a
data set from a file (problems shown with counts, dropping them asked first, refusals as messages)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from agnews_core.data.columns import guess_mapping
from agnews_core.data.drafts import DraftOptions, draft_from_tables
from agnews_core.data.readers import read_path
from agnews_core.data.registry import DatasetManifest, DatasetRegistry
from agnews_core.labels import AG_NEWS
from tests.dataset_fixtures import FORTY_CLASSES, MESSY, MESSY_TEST, TICKETS

from .conftest import TIMEOUT, button, metrics, page_links, values

DATA = "pages/data.py"


def register(root: Path, path: Path, name: str, test_share: float = 0.2) -> DatasetManifest:
    """A data set registered through the core, with the columns found by name."""
    table = read_path(path)
    options = DraftOptions(name, guess_mapping(list(table.frame.columns)), test_share=test_share)
    manifest, created = DatasetRegistry(root).register(draft_from_tables(table, None, options), drop=False)
    assert created
    return manifest


def chart_text(at: AppTest) -> str:
    """Every plotly chart's figure JSON, joined (AppTest has no typed accessor for them)."""
    return " ".join(chart.proto.spec for chart in at.get("plotly_chart"))


def class_names_in_chart(at: AppTest) -> list[str]:
    """The class names on the class balance chart's first trace."""
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    trace = figure["data"][0]
    return list(trace["y"] if trace.get("orientation") == "h" else trace["x"])


def add_app(root: str, train_path: str, test_path: str) -> None:
    """Everything after the upload, for files on disk (run by AppTest.from_function).

    st.page_link needs the app's page list, which an app run from a function lacks: links are written as text
    ("link: <title> <query>") for the length of this run instead.
    """
    from pathlib import Path

    import streamlit as st

    from agnews_ui import page_registry
    from agnews_ui.data_add import Upload, add_dataset

    def written(page, label=None, icon=None, query_params=None) -> None:
        st.text(f"link: {label or page.title} {query_params}")

    train, test = Path(train_path), Path(test_path) if test_path else None
    real_link, page_registry.link = page_registry.link, written
    try:
        add_dataset(Upload(train.name, train.read_bytes()),
                    Upload(test.name, test.read_bytes()) if test else None, Path(root))
    finally:
        page_registry.link = real_link


def open_add(root: Path, train: Path, test: Path | None = None) -> AppTest:
    at = AppTest.from_function(add_app, args=(str(root), str(train), str(test or "")), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sweep_links(at: AppTest) -> list[Any]:
    """The links to the Sweep page (with the data set chosen)."""
    return [link.proto for link in page_links(at) if link.proto.icon == ":material/tune:"]


def test_the_bundled_sample_shows_its_real_figures(open_page) -> None:
    at = open_page(DATA)
    assert at.title[0].value == "Data"
    assert at.selectbox(key="data:dataset").value == "sample"
    assert {k: metrics(at)[k] for k in ("Train rows", "Test rows", "Classes")} == {
        "Train rows": "10,000", "Test rows": "7,600", "Classes": "4"}
    assert class_names_in_chart(at) == list(AG_NEWS.names)
    examples = at.dataframe[0].value
    assert examples["label"].value_counts().to_dict() == dict.fromkeys(AG_NEWS.names, 3)
    unit = "tokens" if "Mean (tokens)" in metrics(at) else "words"
    assert any(c.startswith(f"Lengths in {unit}") for c in values(at.caption))
    assert values(at.success) == ["No problems found: no blank texts, missing labels, duplicates, conflicting labels, "
                                  "test texts in train or small classes."]
    assert any("1,024 MB" in c for c in values(at.caption))  # the upload limit, as .streamlit/config.toml sets it


def test_a_registered_data_set_shows_its_labels_classes_and_origin(open_page, artifacts) -> None:
    manifest = register(artifacts, TICKETS, "tickets")
    at = open_page(DATA, dataset=manifest.id)
    assert at.selectbox(key="data:dataset").value == "tickets"
    shown = metrics(at)
    assert (shown["Train rows"], shown["Test rows"], shown["Classes"]) == (
        f"{manifest.rows['train']:,}", f"{manifest.rows['test']:,}", "3")
    assert class_names_in_chart(at) == ["billing", "feature request", "outage"] == list(manifest.label_names)
    details = dict(at.dataframe[0].value.itertuples(index=False, name=None))
    assert details["Labels (in id order)"] == "billing, feature request, outage"
    assert details["Source files"] == "tickets.jsonl" and details["Columns"] == "text: body; label: topic"
    assert details["SHA-256"] == manifest.sha256[:12] + "…"
    examples = at.dataframe[1].value
    assert set(examples["label"]) == set(manifest.label_names)
    assert [(link.label, link.query_string) for link in sweep_links(at)] == [("Sweep on tickets", "data=tickets")]


def test_older_versions_are_reachable_by_link_and_picker(open_page, artifacts) -> None:
    first = register(artifacts, TICKETS, "tickets", test_share=0.2)
    second = register(artifacts, TICKETS, "tickets", test_share=0.5)
    assert (first.id, second.id) == ("tickets-v1", "tickets-v2") and first.rows != second.rows
    at = open_page(DATA, dataset="tickets")
    assert at.selectbox(key="data:version:tickets").value == "tickets-v2"
    assert metrics(at)["Test rows"] == f"{second.rows['test']:,}"
    at = open_page(DATA, dataset="tickets-v1")
    assert at.selectbox(key="data:version:tickets").value == "tickets-v1"
    assert metrics(at)["Test rows"] == f"{first.rows['test']:,}"
    at.selectbox(key="data:version:tickets").select_index(0).run()  # newest first
    assert metrics(at)["Test rows"] == f"{second.rows['test']:,}" and at.query_params["dataset"] == "tickets-v2"


def test_an_unknown_data_set_in_the_link_is_a_warning(open_page) -> None:
    at = open_page(DATA, dataset="nothing-v3")
    assert values(at.warning) == ["No data set 'nothing-v3' is registered: showing the bundled sample."]
    assert metrics(at)["Train rows"] == "10,000"


def test_a_messy_file_shows_every_problem_and_registers_only_by_dropping_them(artifacts) -> None:
    expected = draft_from_tables(read_path(MESSY), read_path(MESSY_TEST),
                                 DraftOptions("messy", guess_mapping(["text", "label"]))).report
    assert len(expected.found) == 6  # the fixture has every kind of problem
    at = open_add(artifacts, MESSY, MESSY_TEST)
    warnings = values(at.warning)
    for problem in expected.found:
        assert any(w.startswith(f"**{problem.title}: {problem.count:,} ") for w in warnings), (problem, warnings)
    lengths = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]["x"]
    assert max(lengths) < 1_000  # the 150,000-character text is said, not drawn: it would squeeze every bar
    assert any(re.search(r"\. 1 longer than [\d,]+ (tokens|words) are left off the chart\.", c)
               for c in values(at.caption)), values(at.caption)
    droppable = expected.droppable_rows
    assert any(w.startswith(f"{droppable:,} rows have problems that must be dropped") for w in warnings)
    assert "Register" not in [b.label for b in at.button]
    assert not (artifacts / "datasets").exists()
    button(at, f"Drop {droppable:,} rows with problems and register").click().run()
    manifest = DatasetRegistry(artifacts).get("messy")
    assert manifest.id == "messy-v1" and sum(manifest.dropped.values()) == droppable
    assert values(at.success) == [f"Registered messy-v1 ({manifest.rows['train']:,} train / "
                                  f"{manifest.rows['test']:,} test rows, 3 classes)."]
    assert values(at.text) == ["link: Sweep on messy {'data': 'messy'}"]


def test_the_same_file_again_is_already_registered(artifacts) -> None:
    manifest = register(artifacts, TICKETS, "tickets")
    at = open_add(artifacts, TICKETS)
    assert [t.value for t in at.text_input] == ["tickets"]  # the name, from the file name
    button(at, "Register").click().run()
    assert values(at.success)[-1:] == [f"This file, with these choices, is already registered as {manifest.id}: "
                                  "nothing new was stored."]
    assert [m.id for m in DatasetRegistry(artifacts).manifests()] == [manifest.id]


def test_the_test_share_changes_the_held_out_rows(artifacts) -> None:
    at = open_add(artifacts, TICKETS)
    table = read_path(TICKETS)
    half = draft_from_tables(table, None, DraftOptions("tickets", guess_mapping(list(table.frame.columns)),
                                                      test_share=0.5)).report.rows
    assert metrics(at)["Test rows"] != f"{half['test']:,}"
    at.slider[0].set_value(50)
    button(at, "Check with these choices").click().run()
    assert (metrics(at)["Train rows"], metrics(at)["Test rows"]) == (f"{half['train']:,}", f"{half['test']:,}")


def test_a_file_that_is_not_utf8_says_which_encoding_and_stores_nothing(artifacts, tmp_path) -> None:
    latin = tmp_path / "cafés.csv"
    latin.write_bytes("text,label\ncafé crème au lait,drinks\nthé glacé,drinks\nsoupe à l'oignon,food\n"
                      .encode("cp1252"))
    at = open_add(artifacts, latin)
    errors = values(at.error)
    assert len(errors) == 1 and "is not UTF-8" in errors[0] and "Windows-1252" in errors[0] and "iconv" in errors[0]
    assert not at.button and not (artifacts / "datasets").exists()


def test_a_file_with_one_class_is_refused_with_a_message(artifacts, tmp_path) -> None:
    single = tmp_path / "one_class.csv"
    single.write_text("text,label\nfirst text,only\nsecond text,only\nthird text,only\n", encoding="utf-8")
    at = open_add(artifacts, single)
    errors = values(at.error)
    assert errors == ["The labels have one class: a classifier needs 2 to 500 classes."]
    assert not [b for b in at.button if "register" in b.label.lower()]
    assert not (artifacts / "datasets").exists()


def test_many_classes_get_a_sorted_horizontal_chart_and_a_class_picker(artifacts) -> None:
    at = open_add(artifacts, FORTY_CLASSES)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    train = figure["data"][0]
    assert train["orientation"] == "h" and len(train["y"]) == 40
    assert train["x"] == sorted(train["x"]) and figure["layout"]["height"] > 40 * 20  # a line per class
    picker = at.selectbox(key="draft:class")
    assert len(picker.options) == 40
    picker.select_index(7).run()
    examples = next(d.value for d in at.dataframe if list(d.value.columns) == ["label", "split", "row", "text"])
    assert set(examples["label"]) == {picker.options[7]} and len(examples) == 3
