"""`python -m agnews_core data add|list|show|remove` as a user runs it, and a sweep on a registered data set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dataset_fixtures import FORTY_CLASSES, MESSY, MESSY_TEST, TICKETS, TWO_CLASSES
from sweep_configs import small_config

from agnews_core.cli.main import main
from agnews_core.data.registry import DatasetRegistry
from agnews_core.review.verdicts import Verdict, VerdictStore
from agnews_core.states import SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.records import SweepRecord

REPO_ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def data(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    """Run `data ...` in this process under root: (exit code, stdout, stderr)."""
    code = main(["data", *args, "--artifacts", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str) -> str:
    assert code == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_add_finds_the_columns_registers_and_says_so_again_the_second_time(tmp_path: Path, capsys) -> None:
    code, out, err = data(capsys, tmp_path, "add", str(TICKETS))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Registered tickets-v1: 120 train / 30 test rows, 3 classes (billing, feature request, outage)"
    assert lines[1].startswith("Next: python -m agnews_core sweep --data tickets --train-size 96 --eval-size 24 "
                               "--test-size 30 --artifacts ")
    manifest = DatasetRegistry(tmp_path).get("tickets")
    assert manifest.columns.text == ("body",) and manifest.columns.label == "topic"  # found by name

    code, out, _ = data(capsys, tmp_path, "add", str(TICKETS))
    assert code == 0 and out.splitlines()[0] == "Already registered as tickets-v1"
    assert [m.id for m in DatasetRegistry(tmp_path).manifests()] == ["tickets-v1"]


def test_add_forty_classes_and_show_lists_the_fifteen_largest(tmp_path: Path, capsys) -> None:
    code, out, err = data(capsys, tmp_path, "add", str(FORTY_CLASSES), "--name", "topics")
    assert code == 0, err
    assert out.startswith("Registered topics-v1: 520 train / 120 test rows, 40 classes (topic_00, ")
    assert ", … 32 more)" in out.splitlines()[0]
    code, out, _ = data(capsys, tmp_path, "show", "topics")
    assert code == 0
    lines = out.splitlines()
    start = lines.index("Classes (40):")
    class_rows = lines[start + 2:start + 2 + 15]
    assert all(line.strip().startswith("topic_") for line in class_rows)
    assert lines[start + 17].strip() == "… 25 more"


def test_messy_data_is_refused_until_problems_may_be_dropped(tmp_path: Path, capsys) -> None:
    code, out, err = data(capsys, tmp_path, "add", str(MESSY), "--test", str(MESSY_TEST))
    line = one_line_error(code, err)
    assert "5 rows have problems" in line and "nothing was stored" in line and "--drop-problems" in line
    assert "Empty or blank texts: 2" in out and "Missing labels: 1" in out and "Exact duplicates: 2" in out
    assert DatasetRegistry(tmp_path).manifests() == []

    code, out, err = data(capsys, tmp_path, "add", str(MESSY), "--test", str(MESSY_TEST), "--drop-problems")
    assert code == 0, err
    assert "Dropped 5 rows: 2 empty or blank texts, 1 missing labels, 2 exact duplicates" in out
    assert "Registered messy-v1: 67 train / 18 test rows, 3 classes (ham, rare, spam)" in out
    assert "Kept, worth a look: 1 same text, different labels; 2 test texts also in train" in out
    manifest = DatasetRegistry(tmp_path).get("messy")
    assert manifest.dropped == {"blank_text": 2, "missing_label": 1, "duplicate": 2}
    assert manifest.test_rows_from == "messy_test.csv"


def test_show_prints_rows_classes_lengths_problems_and_the_manifest(tmp_path: Path, capsys) -> None:
    assert data(capsys, tmp_path, "add", str(MESSY), "--test", str(MESSY_TEST), "--drop-problems")[0] == 0
    code, out, _ = data(capsys, tmp_path, "show", "messy-v1")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["messy-v1: data set messy, version 1", "67 train / 18 test rows"]
    assert [line.split() for line in lines[lines.index("Classes (3):") + 2:][:3]] == [
        ["ham", "32", "9"], ["spam", "32", "9"], ["rare", "3", "0"]]
    assert any(line.startswith("Text length in words (85 rows): mean ") for line in lines)
    assert "  Same text, different labels: 1" in lines
    assert "    - train 66, train 67: 'is this spam or not' labelled spam (1), ham (1)" in lines
    assert "  Classes too small: 1" in lines and "    - rare: 3 train rows" in lines
    assert "Empty or blank texts" not in out  # dropped before registration: no longer a problem of the data set
    assert "  Source files: messy.csv, messy_test.csv" in lines
    assert f"  sha256: {DatasetRegistry(tmp_path).get('messy').sha256}" in lines
    assert "  Dropped at registration: 2 empty or blank texts, 1 missing labels, 2 exact duplicates" in lines


def test_show_sample_and_unknown_names(tmp_path: Path, capsys) -> None:
    code, out, _ = data(capsys, tmp_path, "show", "sample")
    assert code == 0 and "10,000 train / 7,600 test rows" in out and "Sci/Tech" in out
    code, _, err = data(capsys, tmp_path, "show", "nope")
    assert "no data set named 'nope'" in one_line_error(code, err)


def test_a_missing_or_unclear_column_exits_2_naming_the_columns(tmp_path: Path, capsys) -> None:
    code, _, err = data(capsys, tmp_path, "add", str(TICKETS), "--label-column", "nope")
    assert "no column 'nope' (its columns: id, body, topic)" in one_line_error(code, err)
    unclear = tmp_path / "unclear.csv"
    unclear.write_text("a,b\nhello there,x\nbye now,y\n")
    code, _, err = data(capsys, tmp_path, "add", str(unclear))
    line = one_line_error(code, err)
    assert "(its columns: a, b)" in line and "--text-column" in line and "--label-column" in line
    assert DatasetRegistry(tmp_path).manifests() == []


def test_a_folder_uses_its_train_and_test_files(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "my tickets"
    folder.mkdir()
    shutil.copy(TWO_CLASSES, folder / "train.csv")
    shutil.copy(TWO_CLASSES, folder / "test_rows.csv")
    code, out, err = data(capsys, tmp_path / "artifacts", "add", str(folder), "--drop-problems")
    assert code == 0, err
    manifest = DatasetRegistry(tmp_path / "artifacts").get("my-tickets")
    assert manifest.source_files == ("train.csv", "test_rows.csv") and manifest.test_rows_from == "test_rows.csv"
    code, _, err = data(capsys, tmp_path, "add", str(folder), "--test-share", "0.3")
    assert "is a folder" in one_line_error(code, err)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add"], "give a PATH"),
        (["add", str(TICKETS), "--hub", "someone/tickets"], "not both"),
        (["add", "--hub", "someone/tickets"], "the Hugging Face Hub cannot be reached"),
        (["add", str(TICKETS), "--name", "Bad Name"], "data set name 'Bad Name' is not valid"),
        (["add", str(TICKETS), "--test-share", "0.9"], "the test share must be between 0.05 and 0.5"),
        (["add", "missing.csv"], "missing.csv is neither a file nor a folder"),
        (["remove", "sample"], "cannot be removed"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, args: list[str], message: str) -> None:
    code, _, err = data(capsys, tmp_path, *args)
    line = one_line_error(code, err)
    assert line.startswith(f"python -m agnews_core data {args[0]}: error: ") and message in line


def test_list_shows_the_sample_first_then_every_version(tmp_path: Path, capsys) -> None:
    for path in (TICKETS, FORTY_CLASSES):
        assert data(capsys, tmp_path, "add", str(path))[0] == 0
    code, out, _ = data(capsys, tmp_path, "list")
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["id", "name", "version", "train", "rows", "test", "rows", "classes", "created"]
    assert rows[1][:6] == ["sample", "sample", "-", "10,000", "7,600", "4"]
    assert [row[:6] for row in rows[2:]] == [["forty_classes-v1", "forty_classes", "1", "520", "120", "40"],
                                             ["tickets-v1", "tickets", "1", "120", "30", "3"]]


def _sweep_on(root: Path, dataset_id: str) -> None:
    ArtifactStore(root).save_sweep(SweepRecord(sweep_id="20260101-000000-abcdef", config=small_config(data="tickets"),
                                               status=SweepState.DONE, dataset_id=dataset_id))


def test_remove_is_refused_while_a_sweep_uses_the_version_unless_forced(tmp_path: Path, capsys) -> None:
    assert data(capsys, tmp_path, "add", str(TICKETS))[0] == 0
    _sweep_on(tmp_path, "tickets-v1")
    code, _, err = data(capsys, tmp_path, "remove", "tickets")
    line = one_line_error(code, err)
    assert "tickets-v1 is used by 1 sweep (20260101-000000-abcdef)" in line and "--force" in line
    assert DatasetRegistry(tmp_path).find("tickets-v1") is not None
    code, out, _ = data(capsys, tmp_path, "remove", "tickets-v1", "--force")
    assert code == 0 and out.startswith("Removed tickets-v1 (it was used by 1 sweep")
    assert DatasetRegistry(tmp_path).manifests() == []


def test_remove_is_refused_while_verdicts_exist_for_the_name(tmp_path: Path, capsys) -> None:
    assert data(capsys, tmp_path, "add", str(TICKETS))[0] == 0
    _sweep_on(tmp_path, "tickets-v7")  # another version: does not hold this one back
    VerdictStore(tmp_path, "tickets").record(Verdict(text="printer on fire", label=0, kind="keep"))
    code, _, err = data(capsys, tmp_path, "remove", "tickets-v1")
    assert "used by 1 verdict on tickets" in one_line_error(code, err)
    VerdictStore(tmp_path, "tickets").delete(VerdictStore(tmp_path, "tickets").list()[0].text_key)
    code, out, _ = data(capsys, tmp_path, "remove", "tickets-v1")
    assert code == 0 and out.strip() == "Removed tickets-v1"


def test_sweep_on_a_registered_name_under_the_same_artifacts_folder(tmp_path: Path, capsys) -> None:
    assert data(capsys, tmp_path, "add", str(TICKETS))[0] == 0  # registered only under tmp_path
    result = subprocess.run(
        [sys.executable, "-m", "agnews_core", "sweep", "--model", "tiny", "--data", "tickets", "--lrs", "1e-3",
         "--train-size", "96", "--eval-size", "24", "--test-size", "30", "--batch-size", "16",
         "--precision", "fp32", "--artifacts", str(tmp_path)],
        cwd=REPO_ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Data: data set tickets-v1 (120 train / 30 test rows, 3 classes)" in result.stderr
    sweeps, _ = ArtifactStore(tmp_path).list_sweeps()
    record = sweeps[0]
    assert record.status == "done" and record.dataset_id == "tickets-v1" and record.data_source == "tickets"
    assert record.label_names == ("billing", "feature request", "outage")
    best = ArtifactStore(tmp_path).load_run(record.sweep_id, record.best_run_id)
    assert [c.label for c in best.test.per_class] == ["billing", "feature request", "outage"]
    assert f"Sweep {record.sweep_id}: done" in result.stdout


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("add", ["PATH", "--hub", "--hub-config", "--train-split", "--test-split", "--name", "--text-column",
                 "--label-column", "--test", "--test-share", "--seed", "--drop-problems", "--artifacts", "--help"]),
        ("list", ["--artifacts", "--help"]),
        ("show", ["NAME", "--artifacts", "--help"]),
        ("remove", ["NAME", "--force", "--artifacts", "--help"]),
    ],
)
def test_help_mentions_every_flag(command: str, flags: list[str]) -> None:
    from agnews_core.cli.main import build_parser

    data_parser = build_parser()._subparsers._group_actions[0].choices["data"]
    sub = data_parser._subparsers._group_actions[0].choices[command]
    text = sub.format_help()
    for flag in flags:
        assert flag in text, flag
    known = {s for action in sub._actions for s in action.option_strings if s.startswith("--")}
    assert known <= set(flags)  # every option is in the list above, so it cannot fall behind


def test_a_name_removes_every_version_and_an_id_one(tmp_path: Path, capsys) -> None:
    for seed in ("1", "2", "3"):  # other choices: a new version each
        assert data(capsys, tmp_path, "add", str(TICKETS), "--seed", seed)[0] == 0
    code, out, _ = data(capsys, tmp_path, "add", str(TICKETS), "--seed", "1")
    assert out.splitlines() == ["Already registered as tickets-v1",  # not the newest: the hint names the version
                                "Next: python -m agnews_core sweep --data tickets-v1 --train-size 96 --eval-size 24 "
                                f"--test-size 30 --artifacts {tmp_path}"]
    assert data(capsys, tmp_path, "remove", "tickets-v2") == (0, "Removed tickets-v2\n", "")
    assert data(capsys, tmp_path, "remove", "tickets") == (0, "Removed tickets-v1, tickets-v3\n", "")
    assert DatasetRegistry(tmp_path).manifests() == []
