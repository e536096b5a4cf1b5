"""Live prediction: text cleaning, choosing the run, and Predictor on saved tiny models."""

from __future__ import annotations

import json
import shutil
import unicodedata

import numpy as np
import pytest

from agnews_core.labels import LABELS
from agnews_core.serving.predictor import (
    MAX_CHARS,
    InferenceVariant,
    Predictor,
    RunRef,
    TextError,
    clean_text,
    default_run,
    parse_run_ref,
    runs_with_models,
)
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore

HEADLINE = "Stocks rally as the central bank holds interest rates steady"


@pytest.mark.parametrize("empty", ["", "   ", "\n\t ", None, "\x00\x07\x1b"])
def test_empty_text_is_rejected(empty: str | None) -> None:
    with pytest.raises(TextError, match="empty"):
        clean_text(empty)


def test_control_characters_are_removed() -> None:
    cleaned = clean_text("  Stocks\x00 rally\x07 on\x1b[31m Wall\u200bStreet \r\n")
    assert not any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in cleaned.text)
    assert cleaned.text.startswith("Stocks") and "rally" in cleaned.text and "Wall" in cleaned.text
    assert cleaned.text == cleaned.text.strip()
    assert clean_text("line one\nline\ttwo").text == "line one\nline\ttwo"  # newlines and tabs are kept


def test_format_characters_that_shape_emoji_and_scripts_are_kept() -> None:
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # one emoji joined by zero-width joiners
    rtl = "\u200fمرحبا"  # a right-to-left mark before Arabic text
    assert clean_text(f"{family} {rtl}").text == f"{family} {rtl}"


def test_very_long_text_is_truncated() -> None:
    cleaned = clean_text("x" * 100_000)
    assert cleaned.truncated and len(cleaned.text) == MAX_CHARS and cleaned.original_chars == 100_000
    short = clean_text(HEADLINE)
    assert not short.truncated and short.text == HEADLINE and short.original_chars == len(HEADLINE)


@pytest.mark.parametrize("text", ["🚀 Rocket launch succeeds 🎉", "البورصة ترتفع اليوم", "הבורסה עולה היום",
                                  "株価が上昇", "Café crème prices soar"])
def test_emoji_and_right_to_left_text_are_accepted(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned.text == text and not cleaned.truncated


@pytest.fixture(scope="module")
def predictor(finished_sweep) -> Predictor:
    store, record = finished_sweep
    return Predictor.for_run(store, RunRef(record.sweep_id, record.best_run_id))


def test_predictor_returns_a_label_and_probabilities(predictor: Predictor) -> None:
    prediction = predictor.predict(HEADLINE)
    assert len(prediction.probabilities) == len(LABELS)
    assert sum(prediction.probabilities) == pytest.approx(1.0, abs=1e-5)
    assert prediction.label == LABELS[prediction.label_id]
    assert prediction.confidence == max(prediction.probabilities)
    assert prediction.latency_ms > 0 and not prediction.truncated
    assert predictor.predict(HEADLINE).probabilities == pytest.approx(prediction.probabilities)


def test_predictor_handles_odd_input(predictor: Predictor) -> None:
    assert predictor.predict("word " * 30_000).truncated
    assert sum(predictor.predict("🚀 הבורסה עולה").probabilities) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(TextError):
        predictor.predict("   ")


def test_predictor_matches_the_saved_predictions(finished_sweep, predictor: Predictor) -> None:
    store, record = finished_sweep
    rows = store.load_predictions(record.sweep_id, record.best_run_id).head(5)
    expected = rows[[f"p_{name}" for name in LABELS]].to_numpy()
    for text, probabilities in zip(rows["text"], expected, strict=True):
        assert predictor.predict(text).probabilities == pytest.approx(probabilities.tolist(), abs=1e-4)


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")  # torch deprecates qint8 tensors
def test_quantized_predictor_also_works(finished_sweep) -> None:
    store, record = finished_sweep
    quantized = Predictor.for_run(store, RunRef(record.sweep_id, record.best_run_id), variant=InferenceVariant.INT8)
    assert quantized.quantized
    prediction = quantized.predict(HEADLINE)
    assert sum(prediction.probabilities) == pytest.approx(1.0, abs=1e-4)
    assert 0 <= prediction.label_id < len(LABELS)


def test_untrained_predictor_of_a_sweep(finished_sweep) -> None:
    store, record = finished_sweep
    untrained = Predictor.for_run(store, parse_run_ref(store, f"{record.sweep_id}/untrained"))
    assert sum(untrained.predict(HEADLINE).probabilities) == pytest.approx(1.0, abs=1e-5)


def test_parse_run_ref(finished_sweep) -> None:
    store, record = finished_sweep
    assert parse_run_ref(store, record.sweep_id) == RunRef(record.sweep_id, record.best_run_id)
    other = record.run_ids[1]
    assert parse_run_ref(store, f" {record.sweep_id}/{other} ") == RunRef(record.sweep_id, other)
    assert parse_run_ref(store, f"{record.sweep_id}/untrained").is_untrained


def test_parse_run_ref_errors(finished_sweep) -> None:
    store, record = finished_sweep
    with pytest.raises(ArtifactError, match="has no run 'run09-lr1e-9'"):
        parse_run_ref(store, f"{record.sweep_id}/run09-lr1e-9")
    with pytest.raises(ArtifactError, match="is missing"):
        parse_run_ref(store, "20000101-000000-000000")
    with pytest.raises(ValueError, match="not valid"):
        parse_run_ref(store, "../elsewhere")


def _copy_sweep(source: ArtifactStore, sweep_id: str, target: ArtifactStore, new_id: str, **changes: object) -> None:
    shutil.copytree(source.sweep_dir(sweep_id), target.sweep_dir(new_id))
    path = target.sweep_dir(new_id) / "sweep.json"
    data = json.loads(path.read_text())
    data.update(sweep_id=new_id, **changes)
    path.write_text(json.dumps(data))


def test_default_run_is_the_best_run_of_the_latest_sweep(finished_sweep, store: ArtifactStore) -> None:
    source, record = finished_sweep
    assert default_run(store) is None
    second_run = record.run_ids[1]
    _copy_sweep(source, record.sweep_id, store, "old", created_at="2020-01-01T00:00:00Z")
    _copy_sweep(source, record.sweep_id, store, "new", created_at="2030-01-01T00:00:00Z", best_run_id=second_run)
    assert default_run(store) == RunRef("new", second_run)
    assert runs_with_models(store) == [RunRef("new", second_run), RunRef("new", record.run_ids[0]),
                                       RunRef("old", record.best_run_id), *[RunRef("old", r) for r in record.run_ids
                                                                            if r != record.best_run_id]]
    shutil.rmtree(store.model_dir("new", second_run))
    assert default_run(store) == RunRef("new", record.run_ids[0])  # a run without weights cannot predict


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")
def test_int8_scores_each_text_as_if_alone(finished_sweep) -> None:
    """Dynamic int8 scales activations per batch: word occlusion must see the probabilities predict() shows."""
    store, record = finished_sweep
    quantized = Predictor.for_run(store, RunRef(record.sweep_id, record.best_run_id), variant=InferenceVariant.INT8)
    texts = [HEADLINE, "Cup", "Rebels and the government agree a ceasefire after weeks of talks in the capital city"]
    together = quantized.probabilities(texts)
    for text, row in zip(texts, together, strict=True):
        np.testing.assert_allclose(row, quantized.predict(text).probabilities, atol=1e-6)


def test_a_model_trained_on_other_labels_answers_with_their_names() -> None:
    from agnews_core.labels import LabelSet
    from agnews_core.modeling.models import load_pretrained

    labels = LabelSet(tuple(f"class {i}" for i in range(12)))
    loaded = load_pretrained("tiny", seed=0, tokenizer_texts=["some words here", "and more words"], labels=labels)
    answer = Predictor(loaded).predict("some words")
    assert len(answer.probabilities) == 12 and answer.label in labels.names
    top = answer.ranked(10)
    assert len(top) == 10 and top[0][0] == answer.label and top[0][1] >= top[-1][1]
