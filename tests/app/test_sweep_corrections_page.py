"""Sweep form with Label corrections = apply and a Verdict policy: the verdicts the policy keeps reach the sweep, and
its card and Results say how many."""

from __future__ import annotations

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.sources import load_source, make_splits
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore
from agnews_ui import resources

from .conftest import button, values
from .test_sweep_page import SWEEP, fill, labelled, start

COUNTS = "Label corrections: 1 correction applied (train: 1 relabelled; validation: none) from 1 verdict"


def test_a_sweep_with_corrections_applied_shows_the_count_on_its_card_and_results(open_page, artifacts) -> None:
    train = make_splits(load_source("sample"), SweepConfig(data="sample", train_size=32, eval_size=16,
                                                           test_size=16)).train
    row, disputed = train.iloc[0], train.iloc[1]
    store = VerdictStore(artifacts, "sample")
    store.record(Verdict(row["text"], int(row["label"]), VerdictKind.RELABEL, new_label=(int(row["label"]) + 1) % 4))
    store.record(Verdict(disputed["text"], int(disputed["label"]), VerdictKind.KEEP, reviewer="bob"))
    store.record(Verdict(disputed["text"], int(disputed["label"]), VerdictKind.REMOVE, reviewer="ana"))
    at = fill(open_page(SWEEP))
    box = labelled(at.selectbox, "Label corrections")
    assert box.value == "ignore" and set(box.options) == {"ignore verdicts (train on the data as it is)",
                                                         "apply verdicts to train and validation rows"}
    box.select("apply")
    button(at, "Update estimate").click().run()
    assert ("Label corrections: 2 verdict(s) recorded for this data; those on its training and validation rows will "
            "be applied.") in values(at.caption)  # latest, the default: ana's removal decides the disputed row
    policy = labelled(at.selectbox, "Verdict policy")
    assert policy.value == "latest" and len(policy.options) == 3
    policy.select("unanimous")
    button(at, "Update estimate").click().run()
    assert ("Label corrections: 1 verdict(s) recorded for this data that the unanimous policy keeps; those on its "
            "training and validation rows will be applied.") in values(at.caption)
    start(at)
    manager = resources.job_manager()
    assert manager.wait_idle(120)
    [view], _ = manager.jobs()
    assert view.sweep.config.corrections == "apply" and view.sweep.config.verdict_policy == "unanimous"
    assert view.sweep.corrections.applied == 1  # the disputed row is left as it is
    at.run()
    assert COUNTS in values(at.caption)
    results = open_page("pages/results.py")
    assert any(text.startswith(COUNTS) for text in values(results.caption))
