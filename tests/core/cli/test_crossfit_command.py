"""`crossfit` in the foreground, then `suspects --method crossfit`; without one, the command that starts it."""

from __future__ import annotations

import shutil

import pytest

from agnews_core.cli.main import main
from agnews_core.review.crossfit_suspects import load_crossfit
from agnews_core.store.artifact_store import ArtifactStore


@pytest.fixture
def copied(finished_sweep, tmp_path) -> tuple[ArtifactStore, object]:
    store, record = finished_sweep
    shutil.copytree(store.root, tmp_path / "artifacts")
    return ArtifactStore(tmp_path / "artifacts"), record


def test_crossfit_then_suspects_ranked_by_it(copied, capsys) -> None:
    store, record = copied
    root, sweep_id, run_id = str(store.root), record.sweep_id, record.best_run_id
    assert main(["suspects", "--sweep", sweep_id, "--method", "crossfit", "--artifacts", root]) == 2
    err = capsys.readouterr().err
    assert f"has no finished cross-fit: start one with `python -m agnews_core crossfit --sweep {sweep_id} " \
           f"--run {run_id}` (about " in err

    assert main(["crossfit", "--sweep", sweep_id, "--artifacts", root]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith(f"Cross-fit of {sweep_id}/{run_id}: 2 folds of its 400 training rows") \
        and "about " in captured.err
    assert "--method crossfit" in captured.out and load_crossfit(store, sweep_id, run_id) is not None

    assert main(["suspects", "--sweep", sweep_id, "--method", "crossfit", "--top", "3", "--artifacts", root]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("(ranked by cross-fit (2 folds, tiny))")
    assert main(["suspects", "--sweep", sweep_id, "--method", "average", "--top", "3", "--artifacts", root]) == 0
    assert "(ranked by cross-fit (2 folds, tiny) averaged with the fast ranking (" in capsys.readouterr().out


def test_a_bad_crossfit_says_why_in_one_line(copied, capsys) -> None:
    store, record = copied
    assert main(["crossfit", "--sweep", record.sweep_id, "--run", "nope", "--artifacts", str(store.root)]) == 2
    assert capsys.readouterr().err == ("python -m agnews_core crossfit: error: sweep "
                                       f"{record.sweep_id} has no run 'nope' to cross-fit\n")


def test_crossfit_on_ray_from_the_command_line(local_ray, copied, capsys) -> None:
    store, record = copied
    root = str(store.root)
    assert main(["crossfit", "--sweep", record.sweep_id, "--executor", "ray", "--artifacts", root]) == 0
    err = capsys.readouterr().err
    assert "Ray: " in err and "by a model trained on the others on Ray (local): about " in err
    crossfit = next(s for s in store.list_sweeps()[0] if s.config.crossfit_of)
    assert crossfit.config.executor == "ray" and crossfit.status == "done"
    assert {run.node for run in store.load_runs(crossfit)[0]} == {"127.0.0.1"}  # the folds ran as Ray trials
    assert load_crossfit(store, record.sweep_id, record.best_run_id) is not None
