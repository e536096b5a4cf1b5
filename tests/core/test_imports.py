"""Importing the core stays cheap: never streamlit, and no torch for the job manager (app cold start)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import agnews_core

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(f"agnews_core.{m.name}" for m in pkgutil.iter_modules(agnews_core.__path__) if m.name != "__main__")


def _loaded_after(code: str) -> set[str]:
    """Top-level package names in sys.modules after running code in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{n.split('.')[0] for n in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_every_core_module_is_covered() -> None:
    expected = {"artifacts", "baselines", "batch_predict", "cli", "cli_output", "config", "data", "estimate",
                "executors", "final_training", "hub", "jobs", "labels", "live_predict", "metrics", "models", "paths", "progress", "records", "run_table",
                "snapshots", "states", "sweep", "sweep_request", "training"}
    assert expected <= {m.removeprefix("agnews_core.") for m in MODULES}


def test_every_core_module_has_its_test_file() -> None:
    tests = Path(__file__).resolve().parent
    missing = [m for m in MODULES if not (tests / f"test_{m.removeprefix('agnews_core.')}.py").is_file()]
    assert missing == []


def test_no_core_module_imports_streamlit() -> None:
    loaded = _loaded_after("import agnews_core\n" + "\n".join(f"import {m}" for m in MODULES))
    assert "agnews_core" in loaded
    assert "streamlit" not in loaded


def test_the_job_manager_and_predictor_import_without_torch() -> None:
    loaded = _loaded_after("import agnews_core.jobs, agnews_core.live_predict, agnews_core.cli")
    assert not loaded & {"torch", "transformers", "datasets", "streamlit"}
