"""Choosing an inference variant by measurement, and Predictor serving fp32 / int8 / bf16 (tiny model)."""

from __future__ import annotations

import json

import pytest

from agnews_core.modeling.models import load_saved
from agnews_core.serving.predictor import (
    DEFAULT_VARIANT,
    RUN_VARIANT_KEY,
    InferenceVariant,
    Predictor,
    RunRef,
    recorded_variant,
)
from agnews_core.serving.variants import CandidateResult, VariantChoice, choose_variant, pick
from agnews_core.store.layout import RUN_FILE

pytestmark = pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")

FP32, INT8, BF16 = InferenceVariant.FP32, InferenceVariant.INT8, InferenceVariant.BF16
HEADLINE = "Stocks rally as the central bank holds interest rates steady"


def _c(name: InferenceVariant, p50: float, accuracy: float) -> CandidateResult:
    return CandidateResult(name, p50, accuracy)


def test_pick_takes_the_fastest_within_half_a_point() -> None:
    assert pick([_c(FP32, 15.0, 0.888), _c(INT8, 7.0, 0.880), _c(BF16, 13.4, 0.887)]) is BF16  # int8 lost 0.8
    assert pick([_c(FP32, 15.0, 0.888), _c(INT8, 7.0, 0.884), _c(BF16, 13.4, 0.887)]) is INT8  # -0.4: allowed
    assert pick([_c(FP32, 15.0, 0.888), _c(INT8, 7.0, 0.883)]) is INT8  # exactly 0.5 points: allowed
    assert pick([_c(FP32, 9.0, 0.888), _c(INT8, 9.5, 0.900)]) is FP32  # more accurate but slower
    assert pick([_c(FP32, 9.0, 0.5), _c(INT8, 9.0, 0.5)]) is FP32  # a tie keeps full precision
    assert pick([_c(FP32, 15.0, 0.888), _c(INT8, 7.0, 0.884)], max_drop_points=0.3) is FP32
    with pytest.raises(ValueError, match="fp32"):
        pick([_c(INT8, 7.0, 0.9)])


def test_choice_round_trips_through_json() -> None:
    choice = VariantChoice(INT8, (_c(FP32, 15.0, 0.888), _c(INT8, 7.0, 0.884)), rows=500, latency_calls=40)
    back = VariantChoice.from_dict(json.loads(json.dumps(choice.to_dict())))
    assert back == choice and back.result("int8").p50_ms == 7.0
    with pytest.raises(KeyError):
        back.result(BF16)


@pytest.fixture(scope="module")
def saved(finished_sweep):
    store, record = finished_sweep
    return store, RunRef(record.sweep_id, record.best_run_id)


def test_variants_agree_with_fp32_on_the_tiny_model(saved) -> None:
    store, ref = saved
    loaded = load_saved(store.model_dir(ref.sweep_id, ref.run_id))
    base = Predictor(loaded).predict(HEADLINE).probabilities
    for variant in (INT8, BF16, "bf16"):
        predictor = Predictor(loaded, variant=variant)
        assert predictor.variant == variant
        assert predictor.predict(HEADLINE).probabilities == pytest.approx(base, abs=0.03)
    assert Predictor(loaded, variant=INT8).quantized and not Predictor(loaded, variant=BF16).quantized
    assert Predictor(loaded).variant is FP32 and Predictor(loaded, variant=None).variant is FP32
    assert {p.dtype for p in loaded.model.parameters()} == {__import__("torch").float32}  # int8 used a copy
    with pytest.raises(ValueError):
        Predictor(loaded, variant="int4")


def test_choose_variant_measures_every_candidate(finished_sweep, saved) -> None:
    store, ref = saved
    loaded = load_saved(store.model_dir(ref.sweep_id, ref.run_id))
    rows = store.load_predictions(ref.sweep_id, ref.run_id).head(40)
    choice = choose_variant(loaded, rows["text"].tolist(), rows["label"].tolist(), headlines=[HEADLINE] * 8)
    assert [c.name for c in choice.candidates] == [FP32, INT8, BF16]
    assert choice.rows == 40 and choice.latency_calls == 8
    assert all(c.p50_ms > 0 and 0 <= c.accuracy <= 1 for c in choice.candidates)
    assert choice.chosen is pick(choice.candidates)
    # fp32 through the batched path reproduces the accuracy the sweep saved for these rows
    saved_accuracy = float((rows["predicted"] == rows["label"]).mean())
    assert choice.result(FP32).accuracy == pytest.approx(saved_accuracy)
    with pytest.raises(ValueError, match="as many labels"):
        choose_variant(loaded, ["a", "b"], [0])


def test_for_run_uses_the_recorded_choice_else_fp32(finished_sweep, saved, store) -> None:
    import shutil

    source, ref = saved
    shutil.copytree(source.sweep_dir(ref.sweep_id), store.sweep_dir(ref.sweep_id))
    assert DEFAULT_VARIANT is None  # "use the run's recorded choice, else fp32"
    path = store.run_dir(ref.sweep_id, ref.run_id) / RUN_FILE
    data = json.loads(path.read_text())
    assert data[RUN_VARIANT_KEY]["chosen"] in {"fp32", "int8", "bf16"}  # the sweep measured it when it kept the model
    data.pop(RUN_VARIANT_KEY)  # a run from before the choice was recorded
    path.write_text(json.dumps(data))
    assert recorded_variant(store, ref) is None
    assert Predictor.for_run(store, ref, variant=DEFAULT_VARIANT).variant is FP32
    choice = VariantChoice(BF16, (_c(FP32, 15.0, 0.888), _c(BF16, 13.0, 0.887)), rows=100, latency_calls=20)
    path.write_text(json.dumps({**data, RUN_VARIANT_KEY: choice.to_dict()}))
    assert recorded_variant(store, ref) is BF16
    assert Predictor.for_run(store, ref).variant is BF16
    assert Predictor.for_run(store, ref, variant=FP32).variant is FP32  # an explicit request wins
    assert Predictor.for_run(store, ref, variant="int8").quantized
    path.write_text(json.dumps({**data, RUN_VARIANT_KEY: {"chosen": "int4"}}))
    assert recorded_variant(store, ref) is None  # an unknown name reads as no choice, never a crash
    assert recorded_variant(store, RunRef(ref.sweep_id, "untrained")) is None
