"""Core-only fixtures: tiny sweep configs, a scratch artifact store and job managers that always stop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sweep_configs


@pytest.fixture
def small_config() -> Callable[..., Any]:
    """Factory of the smallest useful sweep config (tiny model, bundled sample); keyword overrides win."""
    return sweep_configs.small_config


