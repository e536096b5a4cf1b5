"""The quick demo model's sweep: valid, within its time budget by the project's own estimate, found when active."""

from __future__ import annotations

from pathlib import Path

from sweep_configs import tiny_config

from agnews_core.states import SweepState
from agnews_core.sweeps.estimate import estimate_sweep_seconds, load_throughput
from agnews_core.sweeps.quick_demo import (
    QUICK_DEMO_NAME,
    TARGET_SECONDS,
    active_quick_demo,
    is_quick_demo,
    quick_demo_config,
)
from agnews_core.sweeps.runner import create_sweep
from agnews_core.sweeps.snapshots import JobSnapshot


def test_the_quick_demo_is_one_minilm_run_on_the_sample_that_keeps_its_weights() -> None:
    config = quick_demo_config()
    assert (config.model, config.data, config.label, len(config.learning_rates)) == ("minilm", "sample",
                                                                                      QUICK_DEMO_NAME, 1)
    assert config.keep_models == "best" and 300 <= config.train_size <= 2000
    assert is_quick_demo(config) and not is_quick_demo(tiny_config())


def test_the_quick_demo_fits_two_minutes_by_the_first_guess_estimate(tmp_path: Path) -> None:
    throughput = load_throughput(tmp_path, "minilm")  # nothing measured in this folder: the first guesses
    assert not throughput.measured
    assert estimate_sweep_seconds(quick_demo_config(), throughput) <= TARGET_SECONDS


def test_only_an_active_quick_demo_is_found(store) -> None:
    other = create_sweep(store, tiny_config(), estimate_seconds=1.0, pid=1)
    done = create_sweep(store, quick_demo_config(), estimate_seconds=1.0, pid=1).with_changes(status=SweepState.DONE)
    queued = create_sweep(store, quick_demo_config(), estimate_seconds=1.0, pid=1)
    assert active_quick_demo([JobSnapshot(other, ()), JobSnapshot(done, ())]) is None
    found = active_quick_demo([JobSnapshot(other, ()), JobSnapshot(queued, ()), JobSnapshot(done, ())])
    assert found is not None and found.sweep.sweep_id == queued.sweep_id


def test_the_quick_demo_fits_a_small_data_set_of_the_users() -> None:
    config = quick_demo_config("tickets", {"train": 96, "eval": 24, "test": 30})
    assert (config.data, config.train_size, config.eval_size, config.test_size) == ("tickets", 96, 24, 30)
    assert quick_demo_config().data == "sample" and quick_demo_config().train_size == 2000
