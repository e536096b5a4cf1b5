"""Word attributions: occlusion scores are the reported probability drops, words stay verbatim plain text."""

from __future__ import annotations

import numpy as np
import pytest

from agnews_core.modeling.models import load_saved
from agnews_core.serving.attribution import (
    MAX_WORDS,
    Attribution,
    occlusion,
    probabilities_function,
    remove_words,
    split_words,
)
from agnews_core.serving.predictor import TextError

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**x**",
    "$x$",
    ":red[x]",
]


class KeywordModel:
    """A transparent stand-in classifier: each 'goal' adds Sports logit, each 'stocks' adds Business logit."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        logits = np.zeros((len(texts), 4))
        for i, text in enumerate(texts):
            words = text.lower().split()
            logits[i, 1] = 2.0 * words.count("goal")
            logits[i, 2] = 1.0 * words.count("stocks")
        return np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def tiny_run(finished_sweep):
    """The best run of the finished tiny sweep: (model, tokenizer)."""
    store, record = finished_sweep
    loaded = load_saved(store.model_dir(record.sweep_id, record.best_run_id))
    return loaded.model, loaded.tokenizer


def test_occlusion_scores_are_the_probability_drops_in_one_batched_call() -> None:
    model = KeywordModel()
    result = occlusion("Late goal lifts United as stocks slip", model)
    assert len(model.calls) == 1 and len(model.calls[0]) == 1 + 7  # the text, then one variant per word
    assert result.words == ("Late", "goal", "lifts", "United", "as", "stocks", "slip")
    assert result.label == "Sports"
    full = model(["Late goal lifts United as stocks slip"])[0]
    assert result.probability == pytest.approx(full[1])
    assert result.top_positions(1) == (1,)  # 'goal'
    without_goal = model([remove_words(result.words, (1,))])[0]
    assert result.scores[1] == pytest.approx(full[1] - without_goal[1])
    assert result.scores[5] < 0  # 'stocks' pulls toward Business, away from Sports
    assert result.scores[0] == pytest.approx(0.0)
    assert [w for _, w, _ in result.ranked()][0] == "goal" and result.ranked()[-1][1] == "stocks"


def test_occlusion_can_explain_a_label_other_than_the_prediction() -> None:
    result = occlusion("goal goal stocks", KeywordModel(), label_id=2)
    assert result.label == "Business" and result.scores[2] > 0 and result.scores[0] < 0


def test_hostile_words_come_back_verbatim_and_reach_the_model_verbatim() -> None:
    text = "Markets " + " ".join(HOSTILE) + " goal"
    model = KeywordModel()
    result = occlusion(text, model)
    assert result.words == tuple(split_words(text))
    assert "<script>alert(1)</script>" in result.words and ":red[x]" in result.words
    assert result.words[2:5] == ("<img", "src=x", "onerror=alert(1)>")
    assert " ".join(result.words) == text
    pairs = result.pairs()
    assert all(type(w) is str and type(s) is float for w, s in pairs)
    assert "".join(w for w, _ in pairs) == text.replace(" ", "")  # nothing added, escaped or wrapped
    assert model.calls[0][0] == text and model.calls[0][1] == " ".join(HOSTILE) + " goal"


def test_whitespace_variants_and_empty_text() -> None:
    result = occlusion("  goal\n\tstocks   ", KeywordModel())
    assert result.words == ("goal", "stocks")
    with pytest.raises(TextError):
        occlusion(" \n ", KeywordModel())
    single = occlusion("goal", KeywordModel())
    assert single.scores[0] == pytest.approx(single.probability - 0.25)  # no words left: uniform


def test_words_past_what_the_model_reads_score_zero_without_a_forward_pass() -> None:
    model = KeywordModel()
    result = occlusion(" ".join(["goal"] * (MAX_WORDS + 5)), model)
    assert len(result.words) == MAX_WORDS + 5 and len(model.calls[0]) == MAX_WORDS + 1
    assert result.scores[-5:] == (0.0,) * 5 and result.truncated


def test_a_probs_fn_of_the_wrong_shape_is_named() -> None:
    with pytest.raises(ValueError, match="probs_fn returned shape"):
        occlusion("a b", lambda texts: np.ones((1, 4)) / 4)
    with pytest.raises(ValueError, match="2 words but 1 scores"):
        Attribution(("a", "b"), (0.1,), 0, 0.5, "x")


def test_occlusion_on_a_real_tiny_model(tiny_run) -> None:
    model, tokenizer = tiny_run
    probs_fn = probabilities_function(model, tokenizer)
    text = "Oil prices rise as " + " ".join(HOSTILE) + " stocks fall on Wall Street"
    result = occlusion(text, probs_fn)
    assert len(result.scores) == len(split_words(text)) == 16
    assert np.isfinite(result.scores).all()
    assert result.label_id == int(probs_fn([text])[0].argmax())
    top = result.top_positions(1)[0]
    after = probs_fn([remove_words(result.words, (top,))])[0, result.label_id]
    # The tiny model is barely trained: scores are ~1e-6, so compare to a few float32 steps at p ~ 0.25 (3e-8 each).
    assert result.scores[top] > 5e-7
    assert result.probability - after == pytest.approx(result.scores[top], abs=1e-7)


@pytest.mark.parametrize("variant", ["fp32", "int8"])
def test_a_shared_predictor_explains_with_its_own_model_under_its_lock(finished_sweep, variant) -> None:
    from agnews_core.serving.predictor import InferenceVariant, Predictor, RunRef

    store, record = finished_sweep
    predictor = Predictor.for_run(store, RunRef(record.sweep_id, record.best_run_id), variant=InferenceVariant(variant))
    assert predictor.variant == variant
    texts = ["Oil prices rise", "Team wins the cup final", "Oil prices rise"]
    probs = predictor.probabilities(texts)
    assert probs.shape == (3, 4)
    # int8 dynamic quantization scales activations per batch: a batch of 3 and a single text differ slightly.
    np.testing.assert_allclose(probs[0], predictor.predict(texts[0]).probabilities, atol=1e-3 if predictor.quantized else 1e-5)
    np.testing.assert_allclose(probs[0], probs[2])
    lock = predictor._lock  # noqa: SLF001 - the test checks that the model only runs while the lock is held
    held: list[bool] = []
    hook = predictor.model.register_forward_pre_hook(lambda _module, _args: held.append(lock.locked()))
    try:
        result = occlusion(texts[1], predictor.probabilities)
    finally:
        hook.remove()
    assert result.words == ("Team", "wins", "the", "cup", "final")
    assert held and all(held) and not lock.locked()


@pytest.mark.parametrize("variant", ["onnx-fp32", "onnx-int8"])
def test_an_onnx_predictor_explains_like_fp32(finished_sweep, variant, tmp_path) -> None:
    import torch

    from agnews_core.serving.predictor import Predictor

    store, record = finished_sweep
    loaded = load_saved(store.model_dir(record.sweep_id, record.best_run_id))
    with torch.no_grad():  # the barely trained tiny model scores words ~1e-6; a sharper head makes them ~1e-4
        loaded.model.classifier.weight.mul_(30.0)
    onnx = Predictor(loaded, variant=variant, onnx_dir=tmp_path / "onnx")
    text = "Team wins the cup final after extra time"
    expected, got = occlusion(text, Predictor(loaded).probabilities), occlusion(text, onnx.probabilities)
    assert got.words == expected.words and got.label_id == expected.label_id
    assert max(abs(s) for s in expected.scores) > 1e-4
    # onnx-fp32 is the same graph (seen: 1e-7 apart); int8's quantization error (~1e-3 here) swamps these small scores
    tolerance = 1e-6 if variant == "onnx-fp32" else 5e-3
    np.testing.assert_allclose(got.scores, expected.scores, atol=tolerance)
    assert got.probability == pytest.approx(expected.probability, abs=tolerance)
