"""`python -m agnews_core verdicts`: counts per reviewer, agreement, what each policy applies, and the conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from dataset_fixtures import TICKETS

from agnews_core.cli.main import main
from agnews_core.data.registry import DatasetRegistry
from agnews_core.review.verdicts import Verdict, VerdictStore


def verdicts(capsys: pytest.CaptureFixture[str], root: Path, data: str) -> tuple[int, str, str]:
    code = main(["verdicts", "--data", data, "--artifacts", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def test_two_reviewers_counts_kappa_policies_and_conflicts(tmp_path: Path, capsys) -> None:
    store = VerdictStore(tmp_path, "sample")
    for text, ana, bob in (("Oil rises", "remove", "remove"), ("Goal!", "keep", "keep"),
                           ("Chip maker beats forecasts", "keep", "relabel")):
        store.record(Verdict(text=text, label=2, kind=ana, reviewer="ana"))
        store.record(Verdict(text=text, label=2, kind=bob, new_label=3 if bob == "relabel" else None, reviewer="bob"))
    store.record(Verdict(text="Summit ends", label=0, kind="remove"))  # anonymous, alone on its row
    code, out, _ = verdicts(capsys, tmp_path, "sample")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Verdicts on sample: 7 on 4 row(s) by 3 reviewer(s)"
    assert lines[1] == "Per reviewer: ana 3, bob 3, anonymous 1"
    # ana: remove, keep, keep; bob: remove, keep, relabel -> observed 2/3, chance 1/3 * 1/3 + 2/3 * 1/3 = 1/3,
    # kappa (2/3 - 1/3) / (1 - 1/3) = 0.5
    assert lines[2].startswith("Agreement: Cohen's kappa 0.50 (moderate):")
    assert lines[3] == "Rows with a relabel or remove verdict, by --verdict-policy: latest 3, majority 2, unanimous 2"
    assert "Conflicts (1), newest first:" in lines
    assert lines[-2:] == ["  Chip maker beats forecasts", "    gold Business | ana: keep; bob: relabel -> Sci/Tech"]


def test_a_registered_data_set_shows_its_own_label_names(tmp_path: Path, capsys) -> None:
    assert main(["data", "add", str(TICKETS), "--artifacts", str(tmp_path)]) == 0
    manifest = DatasetRegistry(tmp_path).find("tickets")
    text = DatasetRegistry(tmp_path).rows(manifest, "train")["text"].iloc[0]
    store = VerdictStore(tmp_path, "tickets")  # kept under the name: every version shares them
    store.record(Verdict(text=text, label=0, kind="relabel", new_label=1, reviewer="ana"))
    store.record(Verdict(text=text, label=0, kind="remove", reviewer="bob"))
    capsys.readouterr()
    code, out, _ = verdicts(capsys, tmp_path, manifest.id)
    assert code == 0 and out.startswith("Verdicts on tickets: 2 on 1 row(s)")
    assert f"ana: relabel -> {manifest.label_names[1]}; bob: remove" in out
    assert f"gold {manifest.label_names[0]}" in out


def test_no_verdicts_and_auto_say_so(tmp_path: Path, capsys) -> None:
    code, out, _ = verdicts(capsys, tmp_path, "hub")
    assert code == 0 and out.startswith("No verdicts recorded for hub")
    code, _, err = verdicts(capsys, tmp_path, "auto")
    assert code == 2 and "--data auto names no data" in err and "Traceback" not in err
