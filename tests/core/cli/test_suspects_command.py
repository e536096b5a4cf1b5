"""`suspects`: the run's ranked rows with label names, as the Errors page ranks them; CSV; clear errors."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from agnews_core.cli.main import main
from agnews_core.review.label_review import label_review
from agnews_core.store.artifact_store import ArtifactStore


@pytest.fixture
def copied(finished_sweep, tmp_path) -> tuple[ArtifactStore, object]:
    store, record = finished_sweep
    shutil.copytree(store.root, tmp_path / "artifacts")
    return ArtifactStore(tmp_path / "artifacts"), record


def test_suspects_print_the_same_ranking_as_the_errors_page_and_write_every_row(copied, tmp_path, capsys) -> None:
    store, record = copied
    csv = tmp_path / "out" / "suspects.csv"
    code = main(["suspects", "--sweep", record.sweep_id, "--top", "5", "--csv", str(csv), "--artifacts", str(store.root)])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith(f"Suspected label errors, {record.sweep_id}/{record.best_run_id}, train rows: ")
    assert "ranked by TF-IDF and MiniLM sentence embeddings" in lines[0]
    written = pd.read_csv(csv)
    review = label_review(store, record, record.best_run_id).rows
    train = review[review["split"] == "train"].sort_values("suspect_rank")
    assert written["text"].tolist() == train["text"].tolist() and written["rank"].tolist()[:3] == [1, 2, 3]
    assert set(written["gold_label"]) <= {"World", "Sports", "Business", "Sci/Tech"}
    assert written["suspected"].sum() == int(train["suspected"].sum())
    first_text = " ".join(str(written["text"].iloc[0]).split())[:40]
    assert first_text in lines[2] and len([line for line in lines if line[:6].strip().isdigit()]) == 5


def test_test_rows_are_ranked_by_the_runs_own_probabilities(copied, capsys) -> None:
    store, record = copied
    assert main(["suspects", "--sweep", record.sweep_id, "--split", "test", "--artifacts", str(store.root)]) == 0
    assert "ranked by the run's own probabilities" in capsys.readouterr().out


@pytest.mark.parametrize(("flags", "says"), [
    (["--run", "run99"], "has no run 'run99'"),
    (["--top", "0"], "--top must be at least 1"),
])
def test_bad_choices_exit_2_with_one_line(copied, capsys, flags, says) -> None:
    store, record = copied
    assert main(["suspects", "--sweep", record.sweep_id, *flags, "--artifacts", str(store.root)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_an_unknown_sweep_exits_2(tmp_path, capsys) -> None:
    assert main(["suspects", "--sweep", "nope", "--artifacts", str(tmp_path)]) == 2
    assert "error:" in capsys.readouterr().err
