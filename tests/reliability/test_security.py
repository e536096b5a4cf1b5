"""Ids cannot leave the artifacts folder, weights are safetensors only, the server is local with XSRF on."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from agnews_core.cli import main as cli
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore
from agnews_core.store.records import RunRecord, SweepRecord

from .conftest import REPO_ROOT, child_env, copy_store, open_page, small_config

BAD_IDS = ["../x", "../../etc", "/etc/passwd", "a/b", "..", ".", ".hidden", "x\x00y", "x y", "~root", "a\\b", "",
           "C:\\windows", "%2e%2e%2f", "run\n", "é", "x" * 200, "sweeps/../..", "-rf"]
PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib", ".npy", ".npz"}


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_ids_that_could_leave_the_artifacts_folder_are_refused(bad: str, tmp_path) -> None:
    outside = tmp_path / "outside"
    (outside / "model").mkdir(parents=True)
    (outside / "model" / "model.safetensors").write_bytes(b"not yours")
    store = ArtifactStore(tmp_path / "artifacts" / "inner")
    good = "20260101-000000-abcdef"
    before = _tree(tmp_path)
    config = small_config()
    attempts = {
        "sweep_dir": lambda: store.sweep_dir(bad),
        "run_dir of a bad sweep": lambda: store.run_dir(bad, "run01"),
        "run_dir of a bad run": lambda: store.run_dir(good, bad),
        "load_sweep": lambda: store.load_sweep(bad),
        "load_run": lambda: store.load_run(good, bad),
        "load_predictions": lambda: store.load_predictions(bad, "run01"),
        "has_model": lambda: store.has_model(good, bad),
        "delete_model": lambda: store.delete_model(bad, bad),
        "save_model_atomically": lambda: store.save_model_atomically(good, bad, lambda folder: folder.mkdir()),
        "save_run": lambda: store.save_run(bad, RunRecord("run01", 0, 1e-3)),
        "save_run with a bad run id": lambda: store.save_run(good, RunRecord(bad, 0, 1e-3)),
        "save_sweep": lambda: store.save_sweep(SweepRecord(bad, config)),
    }
    for name, attempt in attempts.items():
        with pytest.raises(ValueError, match="not valid|outside"):
            attempt()
            pytest.fail(f"{name} accepted {bad!r}")
    assert _tree(tmp_path) == before  # nothing written, nothing deleted


def test_a_symlink_out_of_the_artifacts_folder_is_not_followed(finished_sweep, tmp_path) -> None:
    store, record = finished_sweep
    outside = copy_store(store.root, tmp_path / "outside")
    root = tmp_path / "artifacts"
    (root / "sweeps").mkdir(parents=True)
    (root / "sweeps" / "linked").symlink_to(outside / "sweeps" / record.sweep_id)
    linked = ArtifactStore(root)
    sweeps, broken = linked.list_sweeps()
    assert sweeps == [] and [b.path for b in broken] == [str(root / "sweeps" / "linked")]
    assert "outside the artifacts folder" in broken[0].problem
    with pytest.raises(ValueError):
        linked.load_predictions("linked", record.run_ids[0])


@pytest.mark.parametrize("ref", ["../../etc/passwd", "/etc/passwd", "{sweep}/../../x", "{sweep}/..", "{sweep}/a/b",
                                 "{sweep}/run99", "", "{sweep}/.", "..%2f..%2fetc"])
def test_predict_run_refs_cannot_point_outside(ref: str, finished_sweep, capsys) -> None:
    from agnews_core.serving.predictor import parse_run_ref

    store, record = finished_sweep
    text = ref.format(sweep=record.sweep_id)
    with pytest.raises((ArtifactError, ValueError)):
        parse_run_ref(store, text)
    if not text:
        return  # an empty --run means "the default run" on the command line
    code = cli.main(["predict", "--run", text, "--artifacts", str(store.root), "Oil prices jump"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err


HOSTILE_PARAMS = {"sweep": "../../etc", "run": "../../../etc/passwd", "true": "²", "pred": "9" * 5000}


@pytest.mark.parametrize("page", ["pages/results.py", "pages/accuracy.py", "pages/errors.py", "pages/predict.py",
                                  "pages/home.py", "pages/sweep.py"])
def test_pages_ignore_query_params_that_name_paths(page: str, finished_sweep, app_root, tmp_path) -> None:
    store, record = finished_sweep
    app_root(copy_store(store.root, tmp_path / "artifacts"))
    at = open_page(page, dict(HOSTILE_PARAMS))
    assert not at.exception, at.exception
    if page in ("pages/results.py", "pages/accuracy.py", "pages/errors.py"):
        assert at.selectbox[0].value == record.sweep_id  # the real sweep, the parameter ignored
        assert at.query_params["sweep"] == record.sweep_id


def test_saved_weights_are_safetensors_and_nothing_unpickles_artifacts(finished_sweep) -> None:
    store, record = finished_sweep
    for run_id in record.run_ids:
        model = store.model_dir(record.sweep_id, run_id)
        assert (model / "model.safetensors").is_file()
    # embeddings.npy is plain numpy, written and read with allow_pickle=False (checked below); nothing else may be
    found = [p for p in store.root.rglob("*") if p.suffix in PICKLE_SUFFIXES and p.name != "embeddings.npy"]
    assert found == []
    code = [REPO_ROOT / "app.py", *(REPO_ROOT / "agnews_core").rglob("*.py"), *(REPO_ROOT / "agnews_ui").glob("*.py"),
            *(REPO_ROOT / "pages").glob("*.py")]
    unpickling = re.compile(r"torch\.load\(|pickle\.loads?\(|joblib\.load\(|read_pickle\(|allow_pickle\s*=\s*True|"
                            r"dill\.|cloudpickle|weights_only\s*=\s*False|use_safetensors\s*=\s*False")
    offenders = [f"{p.relative_to(REPO_ROOT)}:{n}: {line.strip()}" for p in code
                 for n, line in enumerate(p.read_text().splitlines(), 1) if unpickling.search(line)]
    assert offenders == []
    numpy_loads = [line.strip() for p in code for line in p.read_text().splitlines() if "np.load(" in line]
    assert numpy_loads and all("allow_pickle=False" in line for line in numpy_loads)
    models_source = (REPO_ROOT / "agnews_core" / "modeling" / "models.py").read_text()
    assert "use_safetensors=True" in models_source


class _Trap:
    """Unpickling this creates a marker file: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204
        return (Path.touch, (self.marker,))


def test_a_pickled_weights_file_in_artifacts_is_never_loaded(finished_sweep, tmp_path) -> None:
    from agnews_core.modeling.models import ModelLoadError, load_pretrained, load_saved

    store, record = finished_sweep
    marker = tmp_path / "UNPICKLED"
    both = tmp_path / "both"
    shutil.copytree(store.model_dir(record.sweep_id, record.run_ids[0]), both)
    (both / "pytorch_model.bin").write_bytes(pickle.dumps(_Trap(marker)))
    assert load_saved(both).model is not None  # the safetensors file is used, the pickle ignored
    only_pickle = tmp_path / "only-pickle"
    shutil.copytree(both, only_pickle)
    (only_pickle / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError):
        load_saved(only_pickle)
    with pytest.raises(ModelLoadError):
        load_pretrained(str(only_pickle), seed=1)  # a local model folder for a new sweep: same rule
    assert not marker.exists()


def test_the_server_is_local_with_xsrf_on_and_the_readme_says_how_to_expose_it() -> None:
    settings = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["address"] == "127.0.0.1"
    assert settings["server"]["enableXsrfProtection"] is True
    assert settings["client"]["showErrorDetails"] == "none"  # no tracebacks in the browser
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=REPO_ROOT, env=child_env(),
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert re.search(r'^address = "127\.0\.0\.1"$', shown.stdout, re.M)  # streamlit itself reads the file
    assert re.search(r"^enableXsrfProtection = true$", shown.stdout, re.M)
    readme = (REPO_ROOT / "README.md").read_text()
    assert "listens on 127.0.0.1 only" in readme and "docs/deploy.md" in readme  # and says how to serve a team
    deploy = (REPO_ROOT / "docs" / "deploy.md").read_text()
    assert "--server.address 127.0.0.1" in deploy and "proxy_pass" in deploy  # behind a reverse proxy, still local
    assert "--server.address" not in (REPO_ROOT / "Makefile").read_text()  # `make run` keeps the safe default
    assert os.environ.get("STREAMLIT_SERVER_ADDRESS") in (None, "127.0.0.1")
