"""Sweep page: field-level validation, a tiny sweep that runs to the end, and cancelling a running one."""

from __future__ import annotations

import pytest
from support.waiting import wait_until

from agnews_core.data.sources import available_sizes, load_source
from agnews_ui import resources

from .conftest import button, page_links, values

SWEEP = "pages/sweep.py"
FIX_FIELDS = "Fix the fields marked above, then start the sweep."


def labelled(elements, label: str):
    """The one widget with this label (the form's widgets have no keys)."""
    found = [e for e in elements if e.label == label]
    assert len(found) == 1, [e.label for e in elements]
    return found[0]


def fill(at, lrs: str = "1e-3", train: int = 32, eval_rows: int = 16, test: int = 16, epochs: float = 1.0):
    """Fill the form for a quick tiny-model sweep on the bundled sample."""
    labelled(at.text_input, "Learning rates").input(lrs)
    labelled(at.selectbox, "Model").select("tiny")
    labelled(at.selectbox, "Data").select("sample")
    for label, value in (("Train rows", train), ("Validation rows", eval_rows), ("Test rows", test),
                         ("Epochs", epochs)):
        labelled(at.number_input, label).set_value(value)
    return at


def start(at):
    """Press Start sweep and rerun the page."""
    button(at, "Start sweep").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def message_after(block, widget_label: str) -> str:
    """The error drawn right after the widget with this label, inside the same form block or column."""
    children = list(block.children.values())
    for i, child in enumerate(children):
        if getattr(child, "label", None) == widget_label:
            following = children[i + 1] if i + 1 < len(children) else None
            assert following is not None and following.type == "error", f"no error after {widget_label}"
            return following.value
        if hasattr(child, "children"):
            try:
                return message_after(child, widget_label)
            except LookupError:
                continue
    raise LookupError(widget_label)


def job_states(at) -> list[str]:
    """The state badge of every job card (st.badge renders as markdown)."""
    states = ("queued", "running", "done with failures", "done", "failed", "cancelled", "interrupted")
    found = []
    for text in values(at.markdown):
        if "-badge[" in text:
            found.append(next(s for s in states if text.rstrip("]").endswith(s)))
    return found


def wait_until_training(sweep_id: str, timeout: float = 90) -> None:
    """Poll the job manager until a sweep has finished at least one training step."""
    manager = resources.job_manager()

    def training() -> bool:
        view = manager.job(sweep_id)
        return view is not None and view.progress is not None and view.progress.phase == "training" and bool(view.progress.step)

    wait_until(training, timeout, f"sweep {sweep_id} to finish a training step", interval=0.1)


def test_empty_sweep_page_explains_the_form(open_page) -> None:
    at = open_page(SWEEP)
    assert values(at.info) == ["No sweeps yet: fill in the form above and press Start sweep."]
    assert labelled(at.text_input, "Learning rates").value  # prefilled with the default rates
    assert not at.error
    # The default settings' estimate is computed after the jobs list but shown under the form, above Jobs.
    blocks = list(at.main.children.values())
    jobs = next(i for i, b in enumerate(blocks) if b.type == "subheader" and b.value == "Jobs")
    above_jobs = [c.value for b in blocks[:jobs] if hasattr(b, "children") for c in b.caption]
    assert any(c.startswith("Estimated time for these settings: about ") for c in above_jobs), above_jobs


@pytest.mark.parametrize(("lrs", "message"), [
    ("abc", "'abc' is not a number"),
    ("0", "Learning rate 0 is out of range"),
    ("-1", "Learning rate -1 is out of range"),
    ("1e-4,,", "has an empty item"),
    ("nan", "Learning rate nan is not a finite number"),
])
def test_bad_learning_rates_are_shown_next_to_the_field(open_page, artifacts, lrs, message) -> None:
    at = start(fill(open_page(SWEEP), lrs=lrs))
    assert message in message_after(at.main, "Learning rates")
    assert FIX_FIELDS in values(at.error)
    assert not at.success
    assert not (artifacts / "sweeps").exists()  # nothing was queued
    assert not resources.job_manager().is_busy()


def test_sizes_larger_than_the_data_are_refused(open_page, artifacts) -> None:
    limit = available_sizes(load_source("sample"))["train"]
    at = start(fill(open_page(SWEEP), train=100_000))
    assert message_after(at.main, "Train rows") == f"Only {limit:,} train rows are available in this data."
    assert FIX_FIELDS in values(at.error)
    assert not (artifacts / "sweeps").exists()


def test_fixing_the_field_clears_its_message(open_page) -> None:
    at = start(fill(open_page(SWEEP), lrs="abc"))
    assert at.error
    fill(at, lrs="1e-3, 3e-3")
    button(at, "Update estimate").click().run()
    assert not at.error
    estimate = next(c for c in values(at.caption) if c.startswith("Estimated time for these settings"))
    assert "(2 runs;" in estimate


def test_a_tiny_sweep_is_queued_and_finishes(open_page) -> None:
    at = start(fill(open_page(SWEEP)))
    flash = values(at.success)
    assert len(flash) == 1 and flash[0].startswith("Sweep ") and "queued" in flash[0]
    manager = resources.job_manager()
    views, _ = manager.jobs()
    assert len(views) == 1 and views[0].sweep.config.model == "tiny"
    assert manager.wait_idle(120)
    at.run()
    assert not at.exception
    assert job_states(at) == ["done"]
    assert "Open results" in [link.proto.label for link in page_links(at)]
    assert not [b for b in at.button if b.label == "Cancel"]


def test_cancel_stops_a_running_sweep(open_page) -> None:
    # 1,000 rows over 20 epochs is 1,260 steps: far longer than the test waits before cancelling.
    at = start(fill(open_page(SWEEP), lrs="1e-3, 3e-3", train=1_000, epochs=20.0))
    sweep_id = resources.job_manager().jobs()[0][0].sweep.sweep_id
    wait_until_training(sweep_id)
    at.run()
    assert job_states(at) == ["running"]
    button(at, "Cancel").click().run()
    assert not at.exception
    assert resources.job_manager().wait_idle(120)
    at.run()
    assert job_states(at) == ["cancelled"]
    assert not [b for b in at.button if b.label == "Cancel"]
    store = resources.job_manager().store
    runs, _ = store.load_runs(store.load_sweep(sweep_id))
    assert [r.status for r in runs] == ["cancelled", "skipped"]
    assert runs[0].error.startswith("cancelled at step")  # stopped mid-training, curves kept


def test_a_field_left_out_of_the_layout_still_gets_a_widget() -> None:
    """A sweep field declared later (here a made-up 'optimizer', and the real 'precision') appears in the form."""
    from streamlit.testing.v1 import AppTest

    def form() -> None:
        from agnews_core.config.fields import Choice, FieldInfo
        from agnews_core.sweeps.request import exposed_fields
        from agnews_ui.field_widgets import field_rows

        optimizer = FieldInfo(label="Optimizer", name="optimizer", default="sgd", help="Update rule.",
                              choices=(Choice("adamw", "AdamW"), Choice("sgd", "plain SGD")))
        field_rows((*exposed_fields(), optimizer), (("learning_rates",), ("label",)), {"optimizer": "Not here."})

    at = AppTest.from_function(form).run()
    assert not at.exception
    optimizer = labelled(at.selectbox, "Optimizer")
    assert optimizer.value == "sgd" and optimizer.options == ["AdamW", "plain SGD"]
    assert message_after(at.main, "Optimizer") == "Not here."
    assert labelled(at.selectbox, "Precision").value == "auto"
    assert [w.label for w in at.text_input][-1] == "Name (optional)"  # the layout's last row stays last


def _register_tickets(root) -> None:
    from dataset_fixtures import TICKETS

    from agnews_core.data.columns import ColumnMapping
    from agnews_core.data.drafts import DraftOptions, draft_from_tables
    from agnews_core.data.readers import read_path
    from agnews_core.data.registry import DatasetRegistry

    draft = draft_from_tables(read_path(TICKETS), None, DraftOptions("tickets", ColumnMapping(("body",), "topic")))
    DatasetRegistry(root).register(draft, drop=False)


def test_a_registered_data_set_is_offered_and_preselected_by_the_link_from_the_data_page(open_page, artifacts) -> None:
    _register_tickets(artifacts)
    at = open_page(SWEEP, data="tickets")
    data = labelled(at.selectbox, "Data")
    assert data.value == "tickets" and any(o.startswith("data set tickets (120 train") for o in data.options)
    assert labelled(at.number_input, "Train rows").value == 96  # sized to the 120 train rows less validation
    labelled(at.text_input, "Learning rates").input("1e-3")
    labelled(at.selectbox, "Model").select("tiny")
    start(at)
    manager = resources.job_manager()
    assert manager.wait_idle(120)
    views, _ = manager.jobs()
    assert views[0].sweep.config.data == "tickets"
    record = manager.store.load_sweep(views[0].sweep.sweep_id)
    assert record.status == "done" and record.label_names == ("billing", "feature request", "outage")


def test_a_name_that_is_no_data_set_leaves_the_default(open_page, artifacts) -> None:
    at = open_page(SWEEP, data="nothing-here")
    assert labelled(at.selectbox, "Data").value == "auto"
