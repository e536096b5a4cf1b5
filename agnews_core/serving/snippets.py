"""Commands and code a user can copy from Results: rerun a sweep, and load a kept run with transformers."""

from __future__ import annotations

import shlex
from pathlib import Path

EXAMPLE_HEADLINE = "Stocks rally as oil prices fall"


def rerun_command(sweep_id: str) -> str:
    """The exact command that runs a recorded sweep again with the same settings."""
    return f"python -m agnews_core sweep --from {shlex.quote(sweep_id)}"


def pipeline_snippet(model_dir: str | Path, example: str = EXAMPLE_HEADLINE) -> str:
    """Python that loads a kept run's model folder with transformers.pipeline and classifies one text (its labels
    print with the data set's names: the model's config carries them)."""
    folder = str(Path(model_dir).resolve())
    example = " ".join(str(example).split())[:200] or EXAMPLE_HEADLINE
    return (
        "from transformers import pipeline\n\n"
        f"classifier = pipeline(\"text-classification\", model={folder!r})\n"
        f"print(classifier({example!r}))\n"
    )
