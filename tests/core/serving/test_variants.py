"""Choosing an inference variant by measurement, and Predictor serving fp32 / int8 / bf16 / onnx (tiny model)."""

from __future__ import annotations

import json

import pytest

from agnews_core.modeling.models import load_saved
from agnews_core.serving import onnx_export
from agnews_core.serving.onnx_export import FP32_FILE, INT8_FILE, onnx_folder
from agnews_core.serving.predictor import (
    DEFAULT_VARIANT,
    RUN_VARIANT_KEY,
    InferenceVariant,
    Predictor,
    RunRef,
    recorded_variant,
)
from agnews_core.serving.variants import CANDIDATES, CandidateResult, VariantChoice, choose_variant, pick
from agnews_core.store.layout import RUN_FILE

pytestmark = pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")

FP32, INT8, BF16 = InferenceVariant.FP32, InferenceVariant.INT8, InferenceVariant.BF16
ONNX_FP32, ONNX_INT8 = InferenceVariant.ONNX_FP32, InferenceVariant.ONNX_INT8
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
    assert [c.name for c in choice.candidates] == [FP32, INT8, BF16, ONNX_FP32, ONNX_INT8] == list(CANDIDATES)
    assert choice.rows == 40 and choice.latency_calls == 8
    assert all(c.available and c.p50_ms > 0 and 0 <= c.accuracy <= 1 for c in choice.candidates)
    assert choice.result(ONNX_FP32).accuracy == choice.result(FP32).accuracy  # the same logits to 1e-3
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
    assert data[RUN_VARIANT_KEY]["chosen"] in set(InferenceVariant)  # the sweep measured it when it kept the model
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


def test_the_onnx_variants_export_next_to_the_model_and_are_recorded(saved, tmp_path) -> None:
    store, ref = saved
    loaded = load_saved(store.model_dir(ref.sweep_id, ref.run_id))
    rows = store.load_predictions(ref.sweep_id, ref.run_id).head(30)
    folder = onnx_folder(tmp_path / "model")
    choice = choose_variant(loaded, rows["text"].tolist(), rows["label"].tolist(), headlines=[HEADLINE] * 4,
                            candidates=(FP32, ONNX_FP32, ONNX_INT8), onnx_dir=folder)
    assert [c.name for c in choice.candidates] == [FP32, ONNX_FP32, ONNX_INT8]
    assert (folder / FP32_FILE).is_file() and (folder / INT8_FILE).is_file()  # kept for serving
    back = VariantChoice.from_dict(json.loads(json.dumps(choice.to_dict())))
    assert back == choice and back.result(ONNX_INT8).available


def test_a_failed_export_is_recorded_as_unavailable_and_the_choice_completes(saved, monkeypatch) -> None:
    store, ref = saved
    loaded = load_saved(store.model_dir(ref.sweep_id, ref.run_id))
    rows = store.load_predictions(ref.sweep_id, ref.run_id).head(20)

    def unsupported(*_args):
        raise RuntimeError("Exporting the operator 'aten::fancy' to ONNX opset version 17 is not supported")

    monkeypatch.setattr(onnx_export, "_export", unsupported)
    choice = choose_variant(loaded, rows["text"].tolist(), rows["label"].tolist(), headlines=[HEADLINE] * 4)
    assert [c.name for c in choice.candidates] == list(CANDIDATES)
    for name in (ONNX_FP32, ONNX_INT8):
        result = choice.result(name)
        assert not result.available and "aten::fancy" in result.unavailable
        assert result.p50_ms == 0 and result.accuracy == 0
    assert all(choice.result(name).available for name in (FP32, INT8, BF16))
    assert choice.chosen in {FP32, INT8, BF16}  # a 0 ms that never ran cannot win
    data = choice.to_dict()
    assert "aten::fancy" in data["candidates"][3]["unavailable"] and "unavailable" not in data["candidates"][0]
    assert VariantChoice.from_dict(json.loads(json.dumps(data))) == choice


TEXTS = [HEADLINE, "Team wins the cup final after extra time", "New phone chip doubles battery life", "Oil rises"]


@pytest.mark.parametrize("variant", [ONNX_FP32, ONNX_INT8])
def test_an_onnx_predictor_gives_fp32_labels(saved, variant, tmp_path) -> None:
    store, ref = saved
    loaded = load_saved(store.model_dir(ref.sweep_id, ref.run_id))
    base = Predictor(loaded)
    predictor = Predictor(loaded, variant=variant, onnx_dir=tmp_path / "onnx")
    assert predictor.variant is variant and predictor.model is None  # no torch copy held while serving
    assert predictor.quantized is (variant is ONNX_INT8)
    for text in TEXTS:
        expected, got = base.predict(text), predictor.predict(text)
        assert got.label_id == expected.label_id
        assert got.probabilities == pytest.approx(expected.probabilities, abs=1e-4 if variant is ONNX_FP32 else 0.03)
        assert got.latency_ms > 0 and got.names == expected.names
    assert Predictor(loaded, variant=variant).predict(HEADLINE).label_id == base.predict(HEADLINE).label_id  # temp dir


def test_for_run_serves_a_recorded_onnx_choice_from_the_run_folder(saved, store) -> None:
    import shutil

    source, ref = saved
    shutil.copytree(source.sweep_dir(ref.sweep_id), store.sweep_dir(ref.sweep_id))
    path = store.run_dir(ref.sweep_id, ref.run_id) / RUN_FILE
    data = json.loads(path.read_text())
    choice = VariantChoice(ONNX_INT8, (_c(FP32, 15.0, 0.888), _c(ONNX_INT8, 4.0, 0.886)), rows=100, latency_calls=20)
    path.write_text(json.dumps({**data, RUN_VARIANT_KEY: choice.to_dict()}))
    predictor = Predictor.for_run(store, ref)
    assert predictor.variant is ONNX_INT8
    assert predictor.onnx.path == onnx_folder(store.model_dir(ref.sweep_id, ref.run_id)) / INT8_FILE
    assert predictor.predict(HEADLINE).label_id == Predictor.for_run(store, ref, variant=FP32).predict(HEADLINE).label_id


def test_a_recorded_onnx_choice_that_cannot_load_serves_fp32(saved, store, monkeypatch) -> None:
    import shutil
    import sys

    source, ref = saved
    shutil.copytree(source.sweep_dir(ref.sweep_id), store.sweep_dir(ref.sweep_id))
    path = store.run_dir(ref.sweep_id, ref.run_id) / RUN_FILE
    choice = VariantChoice(ONNX_FP32, (_c(FP32, 15.0, 0.888), _c(ONNX_FP32, 5.0, 0.888)), rows=100, latency_calls=20)
    path.write_text(json.dumps({**json.loads(path.read_text()), RUN_VARIANT_KEY: choice.to_dict()}))
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # copied to a machine without the wheel
    predictor = Predictor.for_run(store, ref)
    assert predictor.variant is FP32 and predictor.predict(HEADLINE).probabilities
    from agnews_core.serving.predictor import OnnxUnavailable

    with pytest.raises(OnnxUnavailable, match="onnxruntime is not installed"):
        Predictor.for_run(store, ref, variant=ONNX_FP32)  # asked for by name: say why it cannot
