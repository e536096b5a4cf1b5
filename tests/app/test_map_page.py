"""Map page on the shared finished tiny sweep: the map, its colourings, the slices, the slice comparison, and the
rows it hands to Errors."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from agnews_core.analysis.error_map import error_map
from agnews_core.analysis.error_slices import error_slices
from agnews_core.store.artifact_store import ArtifactStore
from agnews_ui.map_rows import SELECTION_KEY

from .conftest import button, page_links, values

MAP, ERRORS = "pages/map.py", "pages/errors.py"


@pytest.fixture(scope="module")
def mapped_template(tmp_path_factory: pytest.TempPathFactory, finished_sweep: tuple[Any, Any]) -> Path:
    """A copy of the shared finished sweep whose best run's map is already computed and cached (t-SNE takes
    seconds): copies keep file times, so the page reads the cached map as fresh."""
    store, record = finished_sweep
    root = tmp_path_factory.mktemp("mapped") / "artifacts"
    shutil.copytree(store.root, root)
    error_map(ArtifactStore(root), record, record.best_run_id)
    return root


@pytest.fixture
def mapped(artifacts: Path, mapped_template: Path, finished_sweep: tuple[Any, Any]) -> Any:
    """Like `finished`, with the best run's map already cached (the first test below computes one itself)."""
    shutil.copytree(mapped_template, artifacts)
    return finished_sweep[1]


def charts(at) -> list:
    return list(at.get("plotly_chart"))


def test_the_map_draws_every_row_and_caches_its_layout(open_page, artifacts, finished) -> None:
    at = open_page(MAP)
    assert len(charts(at)) == 1
    store = ArtifactStore(artifacts)
    assert store.paths.map_file(finished.sweep_id, finished.best_run_id).is_file()
    rows = error_map(store, finished, finished.best_run_id).rows
    assert any(c.startswith(f"{len(rows):,} test and validation rows of lr") for c in values(at.caption))
    slices = error_slices(rows)
    assert slices, "the tiny run's errors should form at least one slice"
    table = at.dataframe[0].value
    assert table["errors"].tolist() == [s.size for s in slices]
    assert table["name"].tolist() == [s.name for s in slices]
    links = [link.proto for link in page_links(at) if link.proto.label.startswith("Slice ")]
    assert [link.label for link in links] == [f"Slice {s.number}: {s.name}" for s in slices][:12]
    assert links[0].page == "errors" and "slice=1" in links[0].query_string


@pytest.mark.parametrize("colouring", ["gold label", "prediction", "right or wrong", "suspect", "verdict"])
def test_every_colouring_draws(open_page, mapped, colouring) -> None:
    at = open_page(MAP)
    at.segmented_control(key="map_colour").set_value(colouring).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(charts(at)) == 1


def test_a_second_run_is_compared_slice_by_slice(open_page, mapped) -> None:
    at = open_page(MAP)
    picker = at.selectbox(key="map_compare_b")
    assert any("TF-IDF baseline" in str(o) for o in picker.options) and len(picker.options) == 2
    compared = at.dataframe[1].value
    assert {"accuracy A", "accuracy B", "p (McNemar)", "p (Holm)"} <= set(compared.columns)
    assert (compared["p (Holm)"] >= compared["p (McNemar)"]).all()
    if not compared["differs"].any():
        assert any(m.startswith("No slice differs beyond chance after Holm's correction") for m in values(at.markdown))


def test_a_run_with_neither_embeddings_nor_weights_says_what_the_map_needs(open_page, artifacts, finished) -> None:
    store = ArtifactStore(artifacts)
    store.paths.embeddings_file(finished.sweep_id, finished.best_run_id).unlink()
    store.delete_model(finished.sweep_id, finished.best_run_id)
    at = open_page(MAP)
    assert any("needs a run with embeddings or kept weights" in m for m in values(at.info))
    assert not charts(at)


def test_errors_shows_only_the_rows_selected_on_the_map(open_page, artifacts, mapped) -> None:
    store = ArtifactStore(artifacts)
    rows = error_map(store, mapped, mapped.best_run_id).rows
    chosen = rows[(rows["split"] == "test") & ~rows["correct"]].head(3)
    at = open_page(ERRORS, sweep=mapped.sweep_id, run=mapped.best_run_id)
    at.session_state[SELECTION_KEY] = {"sweep": mapped.sweep_id, "run": mapped.best_run_id,
                                       "keys": chosen["text_key"].tolist()}
    at.run()
    assert any(line.startswith("**3 misclassified rows**") for line in values(at.markdown))
    assert any("Showing only the 3 rows selected on the Map" in m for m in values(at.info))
    button(at, "Show every row").click().run()
    errors = int(((rows["split"] == "test") & ~rows["correct"]).sum())
    assert any(line.startswith(f"**{errors:,} misclassified rows**") for line in values(at.markdown))


def test_a_slice_link_opens_errors_on_the_slice(open_page, artifacts, mapped) -> None:
    store = ArtifactStore(artifacts)
    rows = error_map(store, mapped, mapped.best_run_id).rows
    first = error_slices(rows)[0]
    in_test = rows[rows["text_key"].isin(first.error_keys) & (rows["split"] == "test")]
    at = open_page(ERRORS, sweep=mapped.sweep_id, run=mapped.best_run_id, slice="1")
    assert any(line.startswith(f"**{len(in_test):,} misclassified rows**") for line in values(at.markdown))
    assert any(f"Showing only slice 1 ({first.name})" in m for m in values(at.info))
    at = open_page(ERRORS, sweep=mapped.sweep_id, run=mapped.best_run_id, slice="99")
    assert "This run has no error slice 99: showing every row." in values(at.warning)
