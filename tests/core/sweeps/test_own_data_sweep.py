"""A sweep on a registered data set of the user's own: their label names in every record, frame and model."""

from __future__ import annotations

import json

from dataset_fixtures import TICKETS
from sweep_configs import small_config

from agnews_core.data.columns import ColumnMapping
from agnews_core.data.drafts import DraftOptions, draft_from_tables
from agnews_core.data.readers import read_path
from agnews_core.data.registry import DatasetRegistry
from agnews_core.modeling.baselines import TFIDF
from agnews_core.modeling.prediction_frames import frame_labels, probabilities
from agnews_core.states import RunState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.sweeps.runner import run_sweep

NAMES = ("billing", "feature request", "outage")


def test_a_sweep_on_a_registered_data_set_uses_its_labels_throughout(tmp_path) -> None:
    draft = draft_from_tables(read_path(TICKETS), None, DraftOptions("tickets", ColumnMapping(("body",), "topic")))
    manifest, _ = DatasetRegistry(tmp_path).register(draft, drop=False)
    store = ArtifactStore(tmp_path)
    config = small_config(data="tickets", train_size=60, eval_size=12, test_size=30, keep_models="best")
    record = run_sweep(store, config)
    assert record.status == RunState.DONE, record.error
    assert record.label_names == NAMES and record.dataset_id == manifest.id == "tickets-v1"
    assert record.data_source == "tickets" and "tickets-v1" in record.data_description
    assert [c.label for c in record.baselines[TFIDF].per_class] == list(NAMES)
    assert len(record.baselines[TFIDF].confusion) == 3
    stored = store.load_sweep(record.sweep_id)
    assert stored.labels.names == NAMES
    run = store.load_runs(stored)[0][0]
    assert [c.label for c in run.test.per_class] == list(NAMES) and run.test.count == 30
    frame = store.load_predictions(record.sweep_id, run.run_id)
    assert frame_labels(frame).names == NAMES and probabilities(frame).shape == (42, 3)
    config_json = json.loads((store.paths.model_dir(record.sweep_id, run.run_id) / "config.json").read_text())
    assert config_json["id2label"] == {"0": "billing", "1": "feature request", "2": "outage"}
    from transformers import pipeline

    classifier = pipeline("text-classification", model=str(store.paths.model_dir(record.sweep_id, run.run_id)))
    assert classifier("the server is down")[0]["label"] in NAMES  # transformers.pipeline prints the user's names


def test_final_training_of_a_sweep_on_a_data_set_pins_the_version_it_read(tmp_path) -> None:
    from agnews_core.sweeps.final_training import plan_final_training

    draft = draft_from_tables(read_path(TICKETS), None, DraftOptions("tickets", ColumnMapping(("body",), "topic")))
    DatasetRegistry(tmp_path).register(draft, drop=False)
    store = ArtifactStore(tmp_path)
    record = run_sweep(store, small_config(data="tickets", train_size=60, eval_size=12, test_size=30))
    plan = plan_final_training(store, record.sweep_id)
    assert plan.config.data == "tickets-v1" and plan.config.test_size == 30 and "tickets-v1" in plan.source_description
