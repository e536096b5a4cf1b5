"""Core-only fixtures: tiny sweep configs, a scratch artifact store and job managers that always stop."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SHARED_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


def _shared() -> ModuleType:
    """tests/conftest.py, found by path: every conftest.py is a module named 'conftest', so the name is ambiguous."""
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) and Path(module.__file__).resolve() == SHARED_CONFTEST:
            return module
    spec = importlib.util.spec_from_file_location("agnews_shared_conftest", SHARED_CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[spec.name] = module
    return module


tiny_config: Callable[..., Any] = _shared().tiny_config
# Two optimizer steps and a handful of rows: a one-LR sweep on the tiny model takes about 3 s.
SMALL = dict(learning_rates=(1e-3,), train_size=32, eval_size=16, test_size=16, batch_size=16, evals_per_run=1)


@pytest.fixture
def small_config() -> Callable[..., Any]:
    """Factory of the smallest useful sweep config (tiny model, bundled sample); keyword overrides win."""

    def make(**overrides: Any) -> Any:
        return tiny_config(**{**SMALL, **overrides})

    return make


