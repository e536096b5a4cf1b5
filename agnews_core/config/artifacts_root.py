"""Which folder holds every artifact: $AGNEWS_ARTIFACTS, else artifacts/ next to app.py."""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "AGNEWS_ARTIFACTS"
APP_ROOT = Path(__file__).resolve().parents[2]  # the repository: app.py, pages/, agnews_core/
DEFAULT_ROOT = APP_ROOT / "artifacts"


def default_root() -> Path:
    """$AGNEWS_ARTIFACTS, or artifacts/ next to app.py (the same folder whichever directory you start from)."""
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)
