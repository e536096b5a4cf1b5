"""Verdict CSV export and import: a round trip, and one clear message per problem with nothing imported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from agnews_core.review.verdict_csv import CSV_COLUMNS, VerdictImportError, export_csv, import_csv, parse_verdicts_csv
from agnews_core.review.verdicts import Verdict, VerdictStore

DATA = pd.DataFrame({
    "text": ["Oil prices rise", "Striker scores twice", "New chip ships", "Summit ends", "Bank merger",
             "=HYPERLINK(\"http://x\")", "'quoted' deal", "-5% on Wall St."],
    "label": [2, 1, 3, 0, 2, 3, 2, 2],
})
HEADER = "text,label,kind,new_label,note,reviewer\n"
GOOD = HEADER + "Striker scores twice,Sports,keep,,,\n"  # a good row first: an import stops whole, never half-way


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    source = VerdictStore(tmp_path / "a", "sample")
    source.record(Verdict(text="Oil prices rise", label=2, kind="relabel", new_label=3, note='says "chips", too',
                          reviewer="ana", recorded_at="2026-11-26T10:00:00+00:00"))
    source.record(Verdict(text="Summit ends", label=0, kind="remove", note="line one\nline two",
                          recorded_at="2026-11-26T11:00:00+00:00"))
    source.record(Verdict(text="Bank merger", label=2, kind="keep", recorded_at="2026-11-26T12:00:00+00:00"))
    exported = export_csv(source.list())
    assert exported.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert "Sci/Tech" in exported and "Business" in exported  # labels by name, for people

    target = VerdictStore(tmp_path / "b", "sample")
    result = import_csv(target, exported, DATA)
    assert (result.imported, result.replaced) == (3, 0)
    assert target.verdicts() == source.verdicts()
    assert import_csv(target, exported, DATA).replaced == 3


def test_formula_looking_cells_are_neutralised_and_round_trip(tmp_path: Path) -> None:
    source = VerdictStore(tmp_path / "a", "sample")
    for text in ("=HYPERLINK(\"http://x\")", "'quoted' deal", "-5% on Wall St."):
        source.record(Verdict(text=text, label=int(DATA.set_index("text").loc[text, "label"]), kind="keep",
                              note="@boss +1", reviewer="=cmd"))
    exported = export_csv(source.list())
    cells = [cell for line in exported.splitlines()[1:] for cell in line.split(",")]
    assert not [c for c in cells if c.lstrip('"').startswith(("=", "+", "-", "@"))]
    target = VerdictStore(tmp_path / "b", "sample")
    import_csv(target, exported, DATA)
    assert target.verdicts() == source.verdicts()


def test_labels_by_id_or_any_case_and_minimal_columns(tmp_path: Path) -> None:
    text = "text,label,kind,new_label\nOil prices rise,business,relabel,3\nStriker scores twice,1,keep,\n"
    verdicts = parse_verdicts_csv(text, DATA)
    assert [(v.label, str(v.kind), v.new_label) for v in verdicts] == [(2, "relabel", 3), (1, "keep", None)]
    assert parse_verdicts_csv("text,label,kind\nSummit ends,World,remove\n", DATA)[0].kind == "remove"


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("", "not a readable CSV"),
        ("text,kind\nOil prices rise,keep\n", "missing column(s): label"),
        ("text,label,kind,lable\nOil prices rise,Business,keep,x\n", "unknown column(s): lable"),
        ("text,label,kind\n", "header but no verdicts"),
        (GOOD + "Oil prices rise,Finance,keep,,,\n", "line 3: unknown label 'Finance'"),
        (GOOD + "Oil prices rise,Business,relabel,Politics,,\n", "line 3: unknown new_label 'Politics'"),
        (GOOD + "A text nobody has,Business,keep,,,\n", "line 3: text not in the data: 'A text nobody has'"),
        (GOOD + "Oil prices rise,Sports,keep,,,\n", "line 3: gold label Sports does not match the data's Business"),
        (GOOD + "Oil prices rise,Business,flip,,,\n", "line 3: unknown kind 'flip'"),
        (GOOD + "Oil prices rise,Business,relabel,,,\n", "line 3: a relabel verdict needs a new_label"),
        (GOOD + "Oil prices rise,Business,relabel,Business,,\n", "use kind 'keep'"),
        (GOOD + "Oil prices rise,Business,remove,World,,\n", "only relabel verdicts have a new_label"),
        ("text,label,kind,recorded_at\nOil prices rise,Business,keep,yesterday\n", "not an ISO date-time"),
        ("text_key,text,label,kind\n0000000000000000,Oil prices rise,Business,keep\n", "does not match the text"),
    ],
)
def test_each_bad_csv_gets_a_clear_message_and_nothing_is_imported(tmp_path: Path, csv_text: str,
                                                                     message: str) -> None:
    store = VerdictStore(tmp_path, "sample")
    store.record(Verdict(text="Bank merger", label=2, kind="keep"))
    before = store.path.read_bytes()
    with pytest.raises(VerdictImportError) as caught:
        import_csv(store, csv_text, DATA)
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert "nothing was imported" in str(caught.value)
    assert store.path.read_bytes() == before


def test_every_bad_row_is_reported_at_once() -> None:
    text = HEADER + "Oil prices rise,Finance,keep,,,\nUnknown text,Business,flip,,,\nNew chip ships,3,keep,,,\n"
    with pytest.raises(VerdictImportError) as caught:
        parse_verdicts_csv(text, DATA)
    assert [m.split(":")[0] for m in caught.value.messages] == ["line 2", "line 3", "line 3"]


def test_every_reviewers_verdict_is_exported_and_an_import_replaces_per_reviewer(tmp_path: Path) -> None:
    source = VerdictStore(tmp_path / "a", "sample")
    source.record(Verdict(text="Bank merger", label=2, kind="keep", reviewer="ana",
                          recorded_at="2026-11-26T10:00:00+00:00"))
    source.record(Verdict(text="Oil prices rise", label=2, kind="relabel", new_label=3, reviewer="ana",
                          recorded_at="2026-11-26T10:01:00+00:00"))
    source.record(Verdict(text="Oil prices rise", label=2, kind="remove", reviewer="bob",
                          recorded_at="2026-11-26T10:02:00+00:00"))
    exported = export_csv(source.list())
    assert [line.split(",")[6] for line in exported.splitlines()[1:]] == ["ana", "ana", "bob"]

    target = VerdictStore(tmp_path / "b", "sample")
    target.record(Verdict(text="Oil prices rise", label=2, kind="keep", reviewer="bob"))
    target.record(Verdict(text="Oil prices rise", label=2, kind="keep", reviewer="carl"))
    result = import_csv(target, exported, DATA)
    assert (result.imported, result.replaced) == (3, 1)  # bob's verdict on that text was replaced
    [oil] = [found for found in target.by_row().values() if found[0].text == "Oil prices rise"]
    assert sorted((v.reviewer, str(v.kind)) for v in oil) == [("ana", "relabel"), ("bob", "remove"), ("carl", "keep")]
