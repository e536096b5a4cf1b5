"""The copyable snippets on Results really work: the pipeline one on a kept tiny run, labels by name."""

from __future__ import annotations

import contextlib
import io
import json

from agnews_core.labels import LABELS
from agnews_core.serving.snippets import pipeline_snippet, rerun_command


def test_a_kept_model_folder_names_the_ag_news_labels(finished_sweep) -> None:
    store, record = finished_sweep
    config = json.loads((store.model_dir(record.sweep_id, record.best_run_id) / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in range(len(LABELS))] == list(LABELS)


def test_the_pipeline_snippet_loads_a_kept_run_and_prints_a_label_name(finished_sweep) -> None:
    store, record = finished_sweep
    snippet = pipeline_snippet(store.model_dir(record.sweep_id, record.best_run_id))
    assert 'pipeline("text-classification", model=' in snippet
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(snippet, "<snippet>", "exec"), {})  # noqa: S102 - the very text the page shows
    (result,) = eval(printed.getvalue())  # noqa: S307 - a list of one {'label': ..., 'score': ...}
    assert result["label"] in LABELS and 0 < result["score"] <= 1


def test_the_rerun_command_names_the_sweep() -> None:
    assert rerun_command("20261126-143015-a1b2c3") == "python -m agnews_core sweep --from 20261126-143015-a1b2c3"


def test_the_snippet_classifies_an_example_of_the_users_own_data() -> None:
    code = pipeline_snippet("/tmp/model", "  the server\nis down  ")
    assert "classifier('the server is down')" in code
    assert "classifier('Stocks rally as oil prices fall')" in pipeline_snippet("/tmp/model", "   ")
