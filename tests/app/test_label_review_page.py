"""Errors page label review: suspects, smart tags, training rows, verdict columns, the verdict form, export/import."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from agnews_core.labels import LABELS
from agnews_core.review.label_review import label_review
from agnews_core.review.suspects import smart_tags
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore
from agnews_core.store.artifact_store import ArtifactStore
from agnews_ui.verdict_panel import reviewer_key

from .conftest import TIMEOUT, button, values
from .test_errors_page import count_line, shown_count

ERRORS = "pages/errors.py"


@pytest.fixture
def review(artifacts, finished):
    """The best run's label review, computed as the page would."""
    return label_review(ArtifactStore(artifacts), finished, finished.best_run_id)


def test_a_suspects_link_opens_that_class_most_suspicious_first(open_page, finished, review) -> None:
    rows = review.rows
    true_id = max(range(4), key=lambda i: review.suspects_per_class("test")[i])
    expected = rows[(rows["split"] == "test") & rows["suspected"] & (rows["label"] == true_id)]
    at = open_page(ERRORS, sweep=finished.sweep_id, run=finished.best_run_id, split="test", suspects="1",
                   true=str(true_id))
    assert at.toggle(key="errors_suspects").value and not at.toggle(key="errors_only").value
    assert count_line(at).startswith(f"**{len(expected):,} suspected matching rows**")
    table = at.dataframe[0].value
    assert list(table["suspect rank"]) == sorted(expected["suspect_rank"])
    assert set(table["true label"]) == {LABELS[true_id]}
    assert "label quality" in table.columns and "verdict" in table.columns
    assert at.query_params["suspects"] == "1"
    assert any("Ranked by the run's own probabilities" in c for c in values(at.caption))


def test_training_rows_are_offered_with_their_cross_validated_probabilities(open_page, finished, review) -> None:
    at = open_page(ERRORS)
    box = at.selectbox(key="errors_split")
    assert "train (cross-validated: TF-IDF and sentence embeddings)" in box.options
    box.select("train").run()
    train = review.rows[review.rows["split"] == "train"]
    wrong = train[train["label"] != train["predicted"]]
    assert f"of {len(train):,} train rows" in count_line(at) and shown_count(at) == len(wrong)
    assert at.query_params["split"] == "train"


def test_a_smart_tag_keeps_only_tagged_rows(open_page, review) -> None:
    at = open_page(ERRORS)
    at.toggle(key="errors_only").set_value(False).run()
    at.selectbox(key="errors_tag").select("uncertain").run()
    test = review.rows[review.rows["split"] == "test"]
    assert shown_count(at) == int(smart_tags(test)["uncertain"].sum())
    assert at.query_params["tag"] == "uncertain"


def test_rows_show_their_verdict_recorded_in_another_session(open_page, artifacts, finished, review) -> None:
    at = open_page(ERRORS)
    first = at.dataframe[0].value.iloc[0]
    gold = LABELS.index(first["true label"])
    VerdictStore(artifacts, "sample").record(Verdict(first["text"], gold, VerdictKind.RELABEL,
                                                     new_label=(gold + 1) % 4))
    at.run()
    shown = at.dataframe[0].value
    assert shown.loc[shown["text"] == first["text"], "verdict"].tolist() == [f"relabel → {LABELS[(gold + 1) % 4]}"]


def verdict_form_app(root: str, text: str, gold: int, predicted: int) -> None:
    """The verdict form alone, for one row, with a store in root (run by AppTest.from_function)."""
    from agnews_core.review.verdicts import VerdictStore
    from agnews_ui.verdict_panel import verdict_form

    verdict_form(VerdictStore(root, "sample"), text, gold, predicted, ("World", "Sports", "Business", "Sci/Tech"))


def note_box(at: AppTest):
    return next(box for box in at.text_input if box.label == "Note (optional)")


def test_the_verdict_form_records_relabel_remove_and_clear(tmp_path) -> None:
    text = "**x** $x$ :red[x] <script>alert(1)</script>"
    at = AppTest.from_function(verdict_form_app, args=(str(tmp_path), text, 0, 2), default_timeout=TIMEOUT).run()
    assert at.selectbox[0].value == 2  # the model's choice is offered first
    at.text_input(key=reviewer_key(text)).input("ana").run()
    at.selectbox[0].select(3)
    note_box(at).input("a tech story")
    button(at, "Record verdict").click().run()
    stored = VerdictStore(tmp_path, "sample").list()
    assert [(v.kind, v.new_label, v.note, v.reviewer, v.text) for v in stored] == [
        (VerdictKind.RELABEL, 3, "a tech story", "ana", text)]
    shown = at.dataframe[0].value  # as a table's cells, never markdown
    assert shown[["reviewer", "verdict", "note"]].values.tolist() == [["ana", "relabel → Sci/Tech", "a tech story"]]
    at.radio[0].set_value(VerdictKind.REMOVE)
    button(at, "Record verdict").click().run()
    assert VerdictStore(tmp_path, "sample").list()[0].kind is VerdictKind.REMOVE
    button(at, "Clear ana's verdict").click().run()
    assert VerdictStore(tmp_path, "sample").list() == []


def test_two_reviewers_on_a_row_each_keep_their_verdict(tmp_path) -> None:
    text = "Chip maker beats forecasts"
    store = VerdictStore(tmp_path, "sample")
    store.record(Verdict(text, 2, VerdictKind.RELABEL, new_label=3, note="about chips", reviewer="ana"))
    at = AppTest.from_function(verdict_form_app, args=(str(tmp_path), text, 2, 3), default_timeout=TIMEOUT).run()
    assert at.dataframe[0].value[["reviewer", "verdict"]].values.tolist() == [["ana", "relabel → Sci/Tech"]]
    assert not [b for b in at.button if b.label.startswith("Clear")]  # the anonymous reviewer has no verdict here

    at.text_input(key=reviewer_key(text)).input("bob").run()
    at.radio[0].set_value(VerdictKind.KEEP)
    note_box(at).input("a business story")
    button(at, "Record verdict").click().run()
    both = at.dataframe[0].value
    assert both[["reviewer", "verdict", "note"]].values.tolist() == [
        ["ana", "relabel → Sci/Tech", "about chips"], ["bob", "keep (model wrong)", "a business story"]]
    assert {v.reviewer: str(v.kind) for v in store.list()} == {"ana": "relabel", "bob": "keep"}

    at.text_input(key=reviewer_key(text)).input("ana").run()  # ana's form shows her own verdict
    assert at.radio[0].value is VerdictKind.RELABEL and note_box(at).value == "about chips"
    assert not at.exception and not at.warning  # widget state set once: no Streamlit "default value" warning
    button(at, "Clear ana's verdict").click().run()
    assert [(v.reviewer, str(v.kind)) for v in store.list()] == [("bob", "keep")]  # bob's stays
    assert at.dataframe[0].value["reviewer"].tolist() == ["bob"]


def test_the_verdicts_list_shows_agreement_and_conflicts(open_page, artifacts, finished, review) -> None:
    rows = review.rows.iloc[:3]
    store = VerdictStore(artifacts, "sample")
    for (_, row), (ana, bob) in zip(rows.iterrows(), [("remove", "remove"), ("keep", "keep"), ("keep", "remove")],
                                    strict=True):
        store.record(Verdict(row["text"], int(row["label"]), ana, reviewer="ana"))
        store.record(Verdict(row["text"], int(row["label"]), bob, reviewer="bob"))
    at = open_page(ERRORS)
    metrics = {m.label: m.value for m in at.metric}
    # 3 shared rows, agreed on 2. ana: 1 remove, 2 keep; bob: 2 remove, 1 keep. Chance agreement
    # 2/3 * 1/3 + 1/3 * 2/3 = 4/9; kappa (2/3 - 4/9) / (1 - 4/9) = 0.4
    assert metrics["Rows with 2+ reviewers"] == "3" and metrics["Cohen's kappa"] == "0.40"
    assert metrics["Conflicts"] == "1"
    captions = " ".join(values(at.caption))
    assert "6 verdict(s) recorded on 3 row(s) by 2 reviewer(s)." in captions
    assert "Cohen's kappa 0.40 (fair)" in captions
    assert "by Verdict policy: latest 2, majority 1, unanimous 1." in captions  # the disputed row: 1 against 1
    conflicts = at.dataframe[-1].value
    assert conflicts["text"].tolist() == [rows.iloc[2]["text"]]
    assert conflicts["verdicts"].tolist() == ["ana: keep (model wrong) · bob: remove"]


def test_export_offers_every_verdict_of_the_source(open_page, artifacts, finished, review) -> None:
    row = review.rows.iloc[0]
    VerdictStore(artifacts, "sample").record(Verdict(row["text"], int(row["label"]), VerdictKind.REMOVE))
    at = open_page(ERRORS)
    [export] = [d for d in at.get("download_button") if d.proto.label == "Export all verdicts as CSV"]
    assert not export.proto.disabled
    assert "1 verdict(s) recorded on 1 row(s) by 1 reviewer(s)." in " ".join(values(at.caption))
    listed = at.dataframe[1].value  # the verdict list under the error rows
    assert list(listed["text"]) == [row["text"]] and list(listed["verdict"]) == ["remove"]


def import_app(root: str, csv_text: str, rows: list[tuple[str, int]]) -> None:
    """The import step alone, against a data source holding rows (run by AppTest.from_function)."""
    import pandas as pd

    from agnews_core.review.verdicts import VerdictStore
    from agnews_ui.state import show_flash
    from agnews_ui.verdict_panel import IMPORTED, import_csv_bytes

    data = pd.DataFrame(rows, columns=["text", "label"])
    import_csv_bytes(VerdictStore(root, "sample"), csv_text.encode("utf-8"), lambda: data)
    show_flash(IMPORTED)


def test_a_bad_import_lists_each_problem_and_stores_nothing(tmp_path) -> None:
    rows = [("Oil prices jump", 2), ("Cup final tonight", 1)]
    bad = "text,label,kind,new_label\nOil prices jump,Business,relabel,Sport\nNot in the data,World,remove,\n"
    at = AppTest.from_function(import_app, args=(str(tmp_path), bad, rows), default_timeout=TIMEOUT).run()
    assert values(at.error) == ["Nothing was imported: 2 problem(s) in the file."]
    shown = values(at.text)[0].splitlines()
    assert shown[0].startswith("line 2: unknown new_label 'Sport'") and shown[1].startswith("line 3: text not in the data")
    assert VerdictStore(tmp_path, "sample").list() == []
    good = "text,label,kind,new_label\nOil prices jump,Business,relabel,Sci/Tech\n"
    at = AppTest.from_function(import_app, args=(str(tmp_path), good, rows), default_timeout=TIMEOUT).run()
    assert values(at.success) == ["Imported 1 verdict(s)."]
    assert [(v.text, v.new_label) for v in VerdictStore(tmp_path, "sample").list()] == [("Oil prices jump", 3)]


def test_an_import_from_the_page_lists_the_verdicts_it_added(open_page, artifacts, finished, review) -> None:
    row = review.rows.iloc[0]
    csv_text = pd.DataFrame({"text": [row["text"]], "label": [LABELS[int(row["label"])]], "kind": ["remove"],
                             "new_label": [""]}).to_csv(index=False)
    at = open_page(ERRORS)
    at.file_uploader(key="verdicts_upload").upload("verdicts.csv", csv_text.encode("utf-8"), "text/csv").run()
    next(b for b in at.button if b.label == "Import these verdicts").click().run()
    assert not at.exception and values(at.success) == ["Imported 1 verdict(s)."]
    listed = at.dataframe[-1].value  # the verdict list, drawn after the import in the same run
    assert list(listed["text"]) == [row["text"]] and list(listed["verdict"]) == ["remove"]
    assert [v.text for v in VerdictStore(artifacts, "sample").list()] == [row["text"]]
