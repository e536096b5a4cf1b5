"""Results: the reproducibility card, the pipeline snippet and a final training queued from the page."""

from __future__ import annotations

from agnews_core.serving.snippets import pipeline_snippet, rerun_command
from agnews_core.store.artifact_store import ArtifactStore
from agnews_ui.format import escape_markdown, sweep_title

from .conftest import values

RESULTS = "pages/results.py"


def _codes(at) -> list[str]:
    return [str(c.value) for c in at.code]


def test_the_card_shows_versions_hardware_precision_data_and_the_rerun_command(open_page, finished) -> None:
    at = open_page(RESULTS)
    env = finished.environment
    card = "\n".join(values(at.markdown))
    assert "**Reproducibility**" in card
    assert f"torch {env.torch}" in card and f"transformers {env.transformers}" in card
    assert env.hardware.cpu_model in card and f"`{env.precision} (asked: auto)`" in card
    assert env.data.sha256 in card and f"train {finished.config.train_size:,}" in card
    assert rerun_command(finished.sweep_id) in _codes(at)
    assert list(at.dataframe[0].value["precision"]) == [str(env.precision)] * 2


def test_the_snippet_names_the_best_runs_model_folder(open_page, artifacts, finished) -> None:
    at = open_page(RESULTS)
    expected = pipeline_snippet(ArtifactStore(artifacts).model_dir(finished.sweep_id, finished.best_run_id))
    assert expected.strip() in _codes(at)


def test_a_final_training_is_queued_from_results_and_shows_as_such(open_page, artifacts, finished) -> None:
    from agnews_ui import resources

    at = open_page(RESULTS)
    rows = next(n for n in at.number_input if n.label == "Train rows")
    assert rows.value == rows.max > finished.config.train_size  # default: every train row available
    assert any("Estimated time: about" in c for c in values(at.caption))
    rows.set_value(64)
    next(n for n in at.number_input if n.label == "Epochs").set_value(0.05)
    at.run()
    next(b for b in at.button if b.label == "Start final training").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("queued" in s for s in values(at.success))
    assert resources.job_manager().wait_idle(300)
    store = ArtifactStore(artifacts)
    final = next(s for s in store.list_sweeps()[0] if s.config.final_of == finished.sweep_id)
    assert final.status == "done" and final.config.train_size == 64
    at.run()
    assert not at.exception
    title = escape_markdown(sweep_title(final))
    assert "final training of" in title and f"**{title}**" in values(at.markdown)  # its job card
    again = open_page(RESULTS, sweep=final.sweep_id)
    assert values(again.caption)[0].startswith(f"Final training of sweep {finished.sweep_id}")
    assert not [b for b in again.button if b.label == "Start final training"]  # no final of a final
