"""The artifacts layout: one place for every path, ids that cannot leave the root."""

from __future__ import annotations

from pathlib import Path

import pytest

from agnews_core.store.layout import ROOT_ENV, ArtifactPaths, default_root


def test_every_path_of_the_layout(tmp_path: Path) -> None:
    paths = ArtifactPaths(tmp_path)
    run = tmp_path / "sweeps" / "s1" / "runs" / "r1"
    assert paths.sweep_file("s1") == tmp_path / "sweeps" / "s1" / "sweep.json"
    assert paths.run_file("s1", "r1") == run / "run.json"
    assert paths.predictions_file("s1", "r1") == run / "predictions.parquet"
    assert paths.weights_file("s1", "r1") == run / "model" / "model.safetensors"
    assert paths.throughput_file == tmp_path / "throughput.json"


@pytest.mark.parametrize("bad", ["..", "../x", "/etc", "a/b", ""])
def test_ids_cannot_lead_outside(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="not valid"):
        ArtifactPaths(tmp_path).run_dir("s1", bad)


def test_a_symlinked_sweep_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "root" / "sweeps").mkdir(parents=True)
    (tmp_path / "root" / "sweeps" / "s1").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="outside the artifacts folder"):
        ArtifactPaths(tmp_path / "root").sweep_dir("s1")


def test_default_root_is_next_to_the_app_unless_the_environment_says(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    monkeypatch.delenv(ROOT_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_root() == Path(__file__).resolve().parents[3] / "artifacts"
    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "mine"))
    assert default_root() == tmp_path / "mine"
