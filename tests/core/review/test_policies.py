"""Correction policies: latest, majority and unanimous on rows judged by one, two and three reviewers."""

from __future__ import annotations

import pytest

from agnews_core.config.sweep_config import ConfigError, SweepConfig
from agnews_core.review.policies import CorrectionPolicy, by_row, decision, resolve, resolve_rows
from agnews_core.review.verdicts import Verdict


def verdict(kind: str, reviewer: str, new_label: int | None = None, text: str = "Oil rises", at: int = 0) -> Verdict:
    return Verdict(text=text, label=2, kind=kind, new_label=new_label, reviewer=reviewer,
                   recorded_at=f"2026-11-26T10:00:{at:02d}+00:00")


ANA_TECH = verdict("relabel", "ana", 3, at=1)
BOB_TECH = verdict("relabel", "bob", 3, at=2)
CARL_WORLD = verdict("relabel", "carl", 0, at=3)
DANA_REMOVE = verdict("remove", "dana", at=4)


def test_decisions_tell_relabel_targets_apart() -> None:
    assert [decision(v) for v in (ANA_TECH, CARL_WORLD, DANA_REMOVE, verdict("keep", ""))] == [
        "relabel→3", "relabel→0", "remove", "keep"]


@pytest.mark.parametrize(
    ("verdicts", "latest", "majority", "unanimous"),
    [
        ([ANA_TECH], ANA_TECH, ANA_TECH, ANA_TECH),  # one reviewer agrees with herself
        ([ANA_TECH, BOB_TECH], BOB_TECH, BOB_TECH, BOB_TECH),  # agreed: the latest of the agreeing verdicts
        ([ANA_TECH, CARL_WORLD], CARL_WORLD, None, None),  # 1 against 1: a tie, no correction
        ([ANA_TECH, BOB_TECH, CARL_WORLD], CARL_WORLD, BOB_TECH, None),  # 2 against 1
        ([ANA_TECH, CARL_WORLD, DANA_REMOVE], DANA_REMOVE, None, None),  # three different verdicts
        ([ANA_TECH, BOB_TECH, CARL_WORLD, DANA_REMOVE], DANA_REMOVE, BOB_TECH, None),
        ([], None, None, None),
    ],
)
def test_each_policy_resolves_a_row(verdicts: list[Verdict], latest: Verdict | None, majority: Verdict | None,
                                    unanimous: Verdict | None) -> None:
    assert resolve(verdicts, CorrectionPolicy.LATEST) == latest
    assert resolve(verdicts, "majority") == majority
    assert resolve(verdicts, CorrectionPolicy.UNANIMOUS) == unanimous


def test_rows_without_a_verdict_under_the_policy_are_left_out() -> None:
    agreed = [verdict("remove", "ana", text="Agreed"), verdict("remove", "bob", text="Agreed")]
    split = [verdict("remove", "ana", text="Split"), verdict("keep", "bob", text="Split")]
    rows = by_row([*agreed, *split])
    assert set(resolve_rows(rows, "latest")) == {agreed[0].text_key, split[0].text_key}
    assert resolve_rows(rows, "unanimous") == {agreed[0].text_key: agreed[1]}
    assert resolve_rows(rows, "majority") == {agreed[0].text_key: agreed[1]}


def test_grouping_keeps_one_verdict_per_reviewer_in_recording_order() -> None:
    again = verdict("keep", "ana", at=9)
    rows = by_row([ANA_TECH, BOB_TECH, again])
    assert rows == {ANA_TECH.text_key: [BOB_TECH, again]}  # ana's later verdict replaced hers and moved last


def test_the_policy_is_a_validated_sweep_field_defaulting_to_latest() -> None:
    assert SweepConfig().verdict_policy is CorrectionPolicy.LATEST
    assert SweepConfig(verdict_policy="unanimous").verdict_policy is CorrectionPolicy.UNANIMOUS
    data = SweepConfig(verdict_policy="majority").to_dict()
    assert SweepConfig.from_dict(data).verdict_policy is CorrectionPolicy.MAJORITY
    del data["verdict_policy"]  # a sweep recorded before the field existed
    assert SweepConfig.from_dict(data).verdict_policy is CorrectionPolicy.LATEST
    with pytest.raises(ConfigError, match="latest, majority, unanimous"):
        SweepConfig(verdict_policy="loudest")
