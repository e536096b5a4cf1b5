"""Hub data sets: offline says so clearly; online a ClassLabel's names become the label names."""

from __future__ import annotations

import pytest

from agnews_core.data import hub_datasets
from agnews_core.data.drafts import DataSetError
from agnews_core.data.hub_datasets import HubSource, draft_from_hub


def test_offline_registration_from_the_hub_says_so(monkeypatch) -> None:
    monkeypatch.setattr(hub_datasets, "hub_is_reachable", lambda: False)
    with pytest.raises(DataSetError, match="Hub cannot be reached.*register a file instead"):
        draft_from_hub(HubSource("fancyzhx/ag_news"), "ag")


def test_a_class_label_gives_the_names(monkeypatch) -> None:
    datasets = pytest.importorskip("datasets")
    features = datasets.Features({"text": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["negative", "positive"])})
    rows = {"train": {"text": [f"good {i}" if i % 2 else f"bad {i}" for i in range(40)], "label": [i % 2 for i in range(40)]},
            "test": {"text": ["good x", "bad y"], "label": [1, 0]}}
    asked = []

    def fake_load(name, config, split):
        asked.append((name, config, split))
        return datasets.Dataset.from_dict(rows[split], features=features)

    monkeypatch.setattr(hub_datasets, "hub_is_reachable", lambda: True)
    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    draft = draft_from_hub(HubSource("someone/reviews", config="en"), "reviews")
    assert sorted(asked) == [("someone/reviews", "en", "test"), ("someone/reviews", "en", "train")]
    assert draft.label_names == ("negative", "positive")
    assert set(draft.frame["label"]) == {"negative", "positive"} and draft.report.rows == {"train": 40, "test": 2}
    assert draft.source_files == ("hub:someone/reviews (en)",)


def test_a_hub_failure_is_one_message(monkeypatch) -> None:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(hub_datasets, "hub_is_reachable", lambda: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: (_ for _ in ()).throw(FileNotFoundError("no such")))
    with pytest.raises(DataSetError, match="could not load hub:nobody/nothing.*FileNotFoundError"):
        draft_from_hub(HubSource("nobody/nothing"), "x")
