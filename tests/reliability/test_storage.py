"""An artifacts folder that is missing, read-only, a file, or holds corrupt entries: the app says so and works on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from .conftest import copy_store, open_page, page_messages, texts

GOOD_COPY = "20260101-000000-c0ffee"


def _sweep_json(root: Path, sweep_id: str) -> Path:
    return root / "sweeps" / sweep_id / "sweep.json"


def _clone_sweep(root: Path, source_id: str, new_id: str, **changes: object) -> Path:
    """Copy a sweep folder under a new id, its sweep.json changed."""
    shutil.copytree(root / "sweeps" / source_id, root / "sweeps" / new_id)
    data = json.loads(_sweep_json(root, new_id).read_text())
    data.update(sweep_id=new_id, **changes)
    _sweep_json(root, new_id).write_text(json.dumps(data))
    return root / "sweeps" / new_id


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _with_an_interrupted_sweep(root: Path, source_id: str) -> str:
    """A sweep left 'running' by a server that died (its pid is gone), its second run mid-way."""
    sweep_id = "20260102-000000-dead00"
    folder = _clone_sweep(root, source_id, sweep_id, status="running", pid=_dead_pid(), best_run_id="",
                          best_by_accuracy_run_id="", finished_at="")
    run_json = sorted(folder.glob("runs/*/run.json"))[-1]
    run = json.loads(run_json.read_text())
    run_json.write_text(json.dumps({**run, "status": "running", "test": None, "validation": None}))
    return sweep_id


def _writes_are_blocked(folder: Path) -> bool:
    probe = folder / f".probe-{uuid.uuid4().hex}"
    try:
        probe.write_text("x")
    except OSError:
        return True
    probe.unlink()
    return False


@pytest.fixture
def read_only_copy(finished_sweep, tmp_path):  # noqa: ANN201
    """A read-only artifacts folder with a finished and an interrupted sweep: chmod, or (as root) a read-only mount."""
    store, record = finished_sweep
    root = copy_store(store.root, tmp_path / "artifacts")
    interrupted = _with_an_interrupted_sweep(root, record.sweep_id)
    folders = [p for p in root.rglob("*") if p.is_dir()] + [root]
    for folder in folders:
        folder.chmod(0o555)
    try:
        if _writes_are_blocked(root):
            yield root, record, interrupted
            return
    finally:
        for folder in folders:
            folder.chmod(0o755)
    view = tmp_path / "read-only-artifacts"  # root ignores mode bits: mount the folder read-only instead
    view.mkdir()
    mounted = shutil.which("mount") is not None and subprocess.run(["mount", "--bind", str(root), str(view)], capture_output=True).returncode == 0 and \
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True).returncode == 0
    if not mounted or not _writes_are_blocked(view):
        subprocess.run(["umount", str(view)], capture_output=True)
        pytest.skip("cannot make a read-only folder here: running as root and mounting is not permitted "
                    "(the artifacts-path-is-a-file case still covers an unwritable folder)")
    try:
        yield view, record, interrupted
    finally:  # lazily when the app still holds a file there: a mount left behind breaks pytest's tmp cleanup
        if subprocess.run(["umount", str(view)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", str(view)], check=False)


def test_a_missing_artifacts_folder_is_explained_and_nothing_breaks(app_root, tmp_path) -> None:
    missing = app_root(tmp_path / "not-created-yet")
    home = open_page()
    assert not home.exception
    assert "does not exist yet" in page_messages(home) and "created by the first sweep" in page_messages(home)
    assert str(missing.resolve()) in page_messages(home)
    results = open_page("pages/results.py")
    assert not results.exception and "No runs yet" in page_messages(results)
    assert not missing.exists()


def test_an_artifacts_path_that_is_a_file_is_reported_and_a_sweep_says_it_cannot_be_saved(app_root, tmp_path) -> None:
    path = tmp_path / "artifacts-file"
    path.write_text("not a folder")
    app_root(path)
    home = open_page()
    assert not home.exception
    assert f"{path.resolve()} is not a folder" in page_messages(home)
    for page in ("pages/results.py", "pages/accuracy.py", "pages/errors.py", "pages/predict.py"):
        at = open_page(page)
        assert not at.exception, page
    sweep = open_page("pages/sweep.py")
    assert not sweep.exception and "is not a folder" in page_messages(sweep)
    _start_tiny_sweep(sweep)
    assert not sweep.exception
    assert any("could not be saved in" in m and str(path.resolve()) in m for m in texts(sweep.error))
    assert path.read_text() == "not a folder"


def _start_tiny_sweep(at) -> None:  # noqa: ANN001
    {w.label: w for w in at.selectbox}["Model"].set_value("tiny")
    {w.label: w for w in at.selectbox}["Data"].set_value("sample")
    numbers = {w.label: w for w in at.number_input}
    for label, value in (("Train rows", 32), ("Validation rows", 16), ("Test rows", 16)):
        numbers[label].set_value(value)
    next(b for b in at.button if b.label == "Start sweep").click()
    at.run()


def test_a_read_only_artifacts_folder_is_reported_and_its_sweeps_still_shown(app_root, read_only_copy) -> None:
    root, record, interrupted = read_only_copy
    app_root(root)
    home = open_page()
    assert not home.exception, home.exception
    assert "read-only" in page_messages(home) and str(root.resolve()) in page_messages(home)
    results = open_page("pages/results.py", {"sweep": record.sweep_id})
    assert not results.exception
    assert results.selectbox[0].value == record.sweep_id
    assert [any(i in o for o in results.selectbox[0].options) for i in (record.sweep_id, interrupted)] == [True, True]
    assert not open_page("pages/results.py", {"sweep": interrupted}).exception
    errors = open_page("pages/errors.py", {"sweep": record.sweep_id})
    assert not errors.exception and errors.dataframe
    sweep = open_page("pages/sweep.py")
    assert not sweep.exception and "read-only" in page_messages(sweep)
    assert "stopped while this sweep was running" in page_messages(sweep)  # known interrupted, though not saved
    _start_tiny_sweep(sweep)
    assert not sweep.exception and any("could not be saved" in m for m in texts(sweep.error))
    assert sorted(p.name for p in (root / "sweeps").iterdir()) == sorted([record.sweep_id, interrupted])


def test_corrupt_entries_are_named_and_skipped_and_good_sweeps_still_work(app_root, finished_sweep, tmp_path) -> None:
    store, record = finished_sweep
    root = app_root(copy_store(store.root, tmp_path / "artifacts"))
    good_run, damaged_run = record.run_ids
    truncated = _clone_sweep(root, record.sweep_id, "20250101-000000-aaaaaa")
    _sweep_json(root, truncated.name).write_text('{"sweep_id": "20250101-000000-aaaaaa", "config": {"learn')
    a_list = _clone_sweep(root, record.sweep_id, "20250101-000000-bbbbbb")
    _sweep_json(root, a_list.name).write_text("[1, 2, 3]")
    binary = _clone_sweep(root, record.sweep_id, "20250101-000000-cccccc")
    _sweep_json(root, binary.name).write_bytes(os.urandom(64))
    wrong_types = _clone_sweep(root, record.sweep_id, "20250101-000000-dddddd", created_at=12345, status=["x"])
    _clone_sweep(root, record.sweep_id, GOOD_COPY, config={**record.config.to_dict(), "label": "copy"})
    damaged = root / "sweeps" / GOOD_COPY / "runs" / damaged_run
    (damaged / "predictions.parquet").write_bytes(b"PAR1 this is not parquet")
    (root / "sweeps" / GOOD_COPY / "runs" / good_run / "run.json").write_text('{"run_id": ')
    (root / "throughput.json").write_text("{oops")

    home = open_page()
    assert not home.exception, home.exception
    shown = page_messages(home)
    for folder in (truncated, a_list, binary, wrong_types):
        assert str(folder) in shown, f"{folder.name} is not reported"
    assert "corrupt" in shown
    assert [m.value for m in home.metric][0] == "2"  # the original and the good copy

    results = open_page("pages/results.py", {"sweep": GOOD_COPY})
    assert not results.exception, results.exception
    assert results.selectbox[0].value == GOOD_COPY  # listed options: the two good sweeps only
    assert len(results.selectbox[0].options) == 2
    assert str(root / "sweeps" / GOOD_COPY / "runs" / good_run) in page_messages(results)

    errors = open_page("pages/errors.py", {"sweep": GOOD_COPY, "run": damaged_run})
    assert not errors.exception, errors.exception
    message = " ".join(texts(errors.error))
    assert "predictions of this run cannot be read" in message and str(damaged / "predictions.parquet") in message
    accuracy = open_page("pages/accuracy.py", {"sweep": GOOD_COPY, "run": damaged_run})
    assert not accuracy.exception
    untouched = open_page("pages/errors.py", {"sweep": record.sweep_id, "run": damaged_run})
    assert not untouched.exception and untouched.dataframe and not untouched.error
    sweep = open_page("pages/sweep.py")
    assert not sweep.exception
