"""Commands and code a user can copy from Results: rerun a sweep, and load a kept run with transformers."""

from __future__ import annotations

import shlex
from pathlib import Path

EXAMPLE_HEADLINE = "Stocks rally as oil prices fall"


def rerun_command(sweep_id: str) -> str:
    """The exact command that runs a recorded sweep again with the same settings."""
    return f"python -m agnews_core sweep --from {shlex.quote(sweep_id)}"


def pipeline_snippet(model_dir: str | Path) -> str:
    """Python that loads a kept run's model folder with transformers.pipeline and classifies one headline."""
    folder = str(Path(model_dir).resolve())
    return (
        "from transformers import pipeline\n\n"
        f"classifier = pipeline(\"text-classification\", model={folder!r})\n"
        f"print(classifier({EXAMPLE_HEADLINE!r}))\n"
    )
