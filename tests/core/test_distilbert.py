"""The notebook's model family: a tiny DistilBERT-architecture folder through a sweep, the saved model and predict.

DistilBERT takes no token_type_ids and names its layers differently from BERT; this proves nothing assumes BERT.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from distilbert_folder import build_tiny_distilbert
from sweep_configs import small_config

from agnews_core.labels import LABELS
from agnews_core.modeling.models import load_pretrained, load_saved
from agnews_core.serving.predictor import InferenceVariant, Predictor, RunRef
from agnews_core.serving.variants import choose_variant


@pytest.fixture(scope="module")
def distilbert_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DistilBERT classifier with random weights and a WordPiece vocabulary from the sample, saved like a Hub repo."""
    return build_tiny_distilbert(tmp_path_factory.mktemp("tiny-distilbert"))


def test_the_folder_is_a_distilbert_without_token_type_ids(distilbert_folder: Path) -> None:
    loaded = load_pretrained(str(distilbert_folder), seed=1)
    assert loaded.model.config.model_type == "distilbert"
    assert "token_type_ids" not in loaded.tokenizer("Stocks rally")


def test_distilbert_sweep_saves_a_model_that_predicts(distilbert_folder: Path, store) -> None:
    from agnews_core.sweeps.runner import run_sweep

    record = run_sweep(store, small_config(model=str(distilbert_folder), keep_models="best"))
    assert record.status == "done", record.error
    runs, broken = store.load_runs(record)
    assert not broken and runs[0].test is not None and runs[0].steps_done == runs[0].total_steps == 2
    assert store.has_model(record.sweep_id, record.best_run_id)

    saved = load_saved(store.model_dir(record.sweep_id, record.best_run_id))
    assert saved.model.config.model_type == "distilbert"
    served = Predictor.for_run(store, RunRef(record.sweep_id, record.best_run_id))
    assert served.variant == runs[0].inference_variant.chosen  # the variant measured when the model was saved
    predictor = Predictor.for_run(store, RunRef(record.sweep_id, record.best_run_id), variant="fp32")
    rows = store.load_predictions(record.sweep_id, record.best_run_id).head(3)
    for text, row in zip(rows["text"], rows[[f"p_{n}" for n in LABELS]].to_numpy(), strict=True):
        assert predictor.predict(text).probabilities == pytest.approx(row.tolist(), abs=1e-4)

    choice = choose_variant(saved, rows["text"].tolist(), rows["label"].tolist(), headlines=rows["text"].tolist())
    assert {c.name for c in choice.candidates} == set(InferenceVariant)
