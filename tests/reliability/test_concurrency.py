"""Several browser sessions share one job manager: simultaneous submissions, and Cancel from another session."""

from __future__ import annotations

import threading

from support.waiting import wait_until

from agnews_core.states import RunState

from .conftest import open_page, small_config


def _fill_sweep_form(at, lrs: str, train: int, epochs: float, name: str) -> None:  # noqa: ANN001
    by_label = {w.label: w for w in at.text_input}
    by_label["Learning rates"].set_value(lrs)
    by_label["Name (optional)"].set_value(name)
    selects = {w.label: w for w in at.selectbox}
    selects["Model"].set_value("tiny")
    selects["Data"].set_value("sample")
    numbers = {w.label: w for w in at.number_input}
    numbers["Train rows"].set_value(train)
    numbers["Validation rows"].set_value(16)
    numbers["Test rows"].set_value(16)
    numbers["Epochs"].set_value(epochs)
    next(b for b in at.button if b.label == "Start sweep").click()
    at.run()


def test_cancel_from_another_session_stops_within_one_step_and_keeps_curves(app_root) -> None:
    from agnews_ui.resources import job_manager

    session_a = open_page("pages/sweep.py")
    _fill_sweep_form(session_a, "1e-3, 3e-4", train=800, epochs=12.0, name="long")  # 600 steps per run
    assert not session_a.exception
    manager = job_manager()
    (long_view,) = manager.jobs()[0]
    sweep_id = long_view.sweep.sweep_id

    session_b = open_page("pages/sweep.py")
    _fill_sweep_form(session_b, "1e-3", train=32, epochs=1.0, name="short")  # queued behind the long one
    assert not session_b.exception

    def training_step() -> int:
        view = manager.job(sweep_id)
        return view.progress.step if view.progress and view.progress.phase == "training" else 0

    wait_until(lambda: training_step() >= 12, 180, "the long sweep to pass step 12")  # a train-loss point is logged at 10
    session_b.run()
    session_b.button(key=f"cancel-{sweep_id}").click().run()
    # The event is set by now: at most the step in flight may finish. The run record keeps its step after the run
    # stops (the progress line does not: a fast CPU can be past training already).
    step_at_cancel = manager.job(sweep_id).runs[0].steps_done
    assert not session_b.exception
    assert any("Stopping after the current training step" in str(t.value) for t in session_b.toast)

    assert manager.wait_idle(timeout=180), "the sweeps did not end after Cancel"
    views = {v.sweep.config.label: v.sweep for v in manager.jobs()[0]}
    assert views["long"].status == RunState.CANCELLED and views["short"].status == RunState.DONE
    runs, _ = manager.store.load_runs(views["long"])
    cancelled, skipped = runs
    assert cancelled.status == RunState.CANCELLED and skipped.status == RunState.SKIPPED
    assert step_at_cancel <= cancelled.steps_done <= step_at_cancel + 1 < cancelled.total_steps
    assert f"cancelled at step {cancelled.steps_done}/{cancelled.total_steps}" in cancelled.error
    assert cancelled.train_loss and cancelled.train_loss[-1].step <= cancelled.steps_done  # curves kept on disk

    session_a.run()  # the session that started it sees the outcome too
    assert not session_a.exception
    badges = [m.value for m in session_a.markdown if "badge[" in m.value]
    assert any(RunState.CANCELLED in b for b in badges) and any(RunState.DONE in b for b in badges)


def test_simultaneous_submissions_are_both_queued_and_run_once(store, make_manager) -> None:
    manager = make_manager(store)
    barrier = threading.Barrier(2)
    submitted: list[str] = []
    errors: list[BaseException] = []

    def submit(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            submitted.append(manager.submit(small_config(label=name)).sweep_id)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(f"session {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(set(submitted)) == 2

    assert manager.wait_idle(timeout=180)
    folders = sorted(p.name for p in store.sweeps_dir.iterdir())
    assert folders == sorted(submitted)
    sweeps, broken = store.list_sweeps()
    assert broken == [] and {s.config.label for s in sweeps} == {"session 0", "session 1"}
    assert [s.status for s in sweeps] == [RunState.DONE, RunState.DONE]
    for sweep in sweeps:
        runs, _ = store.load_runs(sweep)
        assert [r.status for r in runs] == [RunState.DONE]
