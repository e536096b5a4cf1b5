"""Errors page: the button that queues a cross-fit of the run, and once one finished, the choice of ranking."""

from __future__ import annotations

from dataclasses import replace

from support.waiting import wait_until

from agnews_core.access.identity import Identity
from agnews_core.access.roles import Role
from agnews_core.store.artifact_store import ArtifactStore
from agnews_ui.resources import job_manager

from .conftest import values

ERRORS = "pages/errors.py"
START = "Find suspects with the model itself: about "
REVIEWER = Identity(subject="r", email="re@example.com", role=Role.REVIEWER)


def _start_button(at):  # noqa: ANN001, ANN202
    found = [b for b in at.button if b.label.startswith(START)]
    assert len(found) == 1, [b.label for b in at.button]
    return found[0]


def test_the_button_queues_a_crossfit_and_its_ranking_can_then_be_chosen(open_page, finished, artifacts) -> None:
    at = open_page(ERRORS)
    assert not _start_button(at).disabled
    assert "errors_ranking" not in [e.key for e in at.segmented_control]  # no choice before a cross-fit finished
    _start_button(at).click().run()
    assert any(v.startswith("Cross-fit ") and "queued" in v for v in values(at.success)), values(at.success)
    crossfit = next(s for s in job_manager().sweeps()[0] if s.config.crossfit_of)
    assert crossfit.config.crossfit_of == f"{finished.sweep_id}/{finished.best_run_id}"
    store = ArtifactStore(artifacts)
    wait_until(lambda: store.paths.crossfit_file(finished.sweep_id, finished.best_run_id).is_file(), 120,
               "the cross-fit's merged file")
    assert job_manager().wait_idle(60)

    at = open_page(ERRORS, sweep=finished.sweep_id, run=finished.best_run_id, split="train")  # not the newest sweep
    choice = at.segmented_control(key="errors_ranking")
    assert choice.value == "fast"
    assert any("ranked by TF-IDF and MiniLM" in c for c in values(at.caption))
    choice.set_value("cross-fit").run()
    assert not at.exception
    assert any(c == "Label quality of these rows ranked by cross-fit (2 folds, tiny)." for c in values(at.caption))
    at.segmented_control(key="errors_ranking").set_value("both, averaged").run()
    assert any(c.startswith("Label quality of these rows ranked by cross-fit (2 folds, tiny) averaged with the fast")
               for c in values(at.caption))


def test_a_reviewer_sees_the_button_disabled_with_the_reason(open_page, finished, monkeypatch) -> None:
    monkeypatch.setattr("agnews_ui.auth.current_identity", lambda: REVIEWER)
    monkeypatch.setattr("agnews_ui.page_registry._navigation_built", False)
    at = open_page(ERRORS)
    assert _start_button(at).disabled
    assert any(v.startswith("Starting a sweep needs the admin or analyst role; you are signed in as re@example.com "
                            "(reviewer)") for v in values(at.caption))


def test_a_run_swept_on_ray_is_cross_fitted_on_ray_and_the_button_says_so(open_page, finished, artifacts) -> None:
    store = ArtifactStore(artifacts)
    swept = store.load_sweep(finished.sweep_id)
    store.save_sweep(swept.with_changes(config=replace(swept.config, executor="ray", ray_address="10.0.0.5:6379")))
    at = open_page(ERRORS)
    found = [b for b in at.button if b.label.startswith("Find suspects with the model itself on Ray: about ")]
    assert len(found) == 1, [b.label for b in at.button]
    assert "as Ray trials at 10.0.0.5:6379, folds in parallel" in found[0].help
