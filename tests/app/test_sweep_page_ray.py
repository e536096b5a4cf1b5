"""Sweep form, Ray part: Run on, Check cluster, early stopping that needs Ray, an unreachable cluster on submit,
range search."""

from __future__ import annotations

from ray_support import free_port

from .conftest import button, values
from .test_sweep_page import SWEEP, fill, labelled, message_after, start


def test_run_on_defaults_to_this_machine_and_check_cluster_describes_local_ray(open_page) -> None:
    at = open_page(SWEEP)
    run_on = labelled(at.selectbox, "Run on")
    assert run_on.value == "thread" and run_on.format_func("thread") == "this machine"
    assert labelled(at.text_input, "Ray address").value == "local"
    button(at, "Check cluster").click().run()
    (shown,) = values(at.success)
    assert shown.startswith("Ray at local: this machine (an embedded Ray starts with the sweep)") and "Ray 2." in shown


def test_check_cluster_says_in_one_sentence_when_nothing_answers(open_page) -> None:
    at = open_page(SWEEP)
    labelled(at.text_input, "Ray address").input(f"127.0.0.1:{free_port()}")
    button(at, "Check cluster").click().run()
    assert any(text.startswith("No Ray cluster answers at 127.0.0.1:") for text in values(at.error))


def test_early_stopping_on_this_machine_is_refused_next_to_the_field(open_page, artifacts) -> None:
    at = fill(open_page(SWEEP))
    labelled(at.selectbox, "Early stopping").select("asha")
    start(at)
    assert message_after(at.main, "Early stopping").startswith("Early stopping needs Ray: set Run on to Ray")
    assert not (artifacts / "sweeps").exists()


def test_an_unreachable_cluster_is_refused_on_start_and_nothing_is_written(open_page, artifacts) -> None:
    at = fill(open_page(SWEEP))
    labelled(at.selectbox, "Run on").select("ray")
    labelled(at.text_input, "Ray address").input(f"127.0.0.1:{free_port()}")
    start(at)
    assert message_after(at.main, "Ray address").startswith("No Ray cluster answers at 127.0.0.1:")
    assert not at.success and not (artifacts / "sweeps").exists()


def test_a_range_search_shows_how_many_rates_it_draws(open_page) -> None:
    at = fill(open_page(SWEEP))
    labelled(at.text_input, "Learning-rate range (optional)").input("1e-4..1e-2")
    labelled(at.number_input, "Rates from the range").set_value(5)
    button(at, "Update estimate").click().run()
    estimate = next(c for c in values(at.caption) if c.startswith("Estimated time for these settings"))
    assert "(5 runs;" in estimate
