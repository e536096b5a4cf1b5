"""The stored serving choice of a run: round trips, and a damaged one reads as none."""

from __future__ import annotations

import json

import pytest

from agnews_core.store.records import RunRecord
from agnews_core.store.variant_record import CandidateResult, InferenceVariant, VariantChoice, pick


def _choice() -> VariantChoice:
    return VariantChoice(InferenceVariant.INT8, (CandidateResult(InferenceVariant.FP32, 9.5, 0.9),
                                                 CandidateResult(InferenceVariant.INT8, 4.2, 0.898)), 300, 40)


def test_a_run_record_keeps_its_variant_choice_and_precision_through_json() -> None:
    run = RunRecord("run01-lr1e-4", 0, 1e-4, precision="bf16", inference_variant=_choice())
    back = RunRecord.from_dict(json.loads(json.dumps(run.to_dict())))
    assert back == run
    assert back.inference_variant.result("int8").p50_ms == 4.2


def test_runs_from_before_the_fields_load_with_defaults() -> None:
    data = RunRecord("run01-lr1e-4", 0, 1e-4).to_dict()
    del data["precision"], data["inference_variant"]
    back = RunRecord.from_dict(data)
    assert back.precision == "" and back.inference_variant is None


@pytest.mark.parametrize("damaged", [{"chosen": "int4"}, {"chosen": "fp32"}, ["fp32"], "fp32"])
def test_a_damaged_variant_choice_reads_as_none_not_as_a_corrupt_run(damaged: object) -> None:
    data = {**RunRecord("run01-lr1e-4", 0, 1e-4).to_dict(), "inference_variant": damaged}
    assert RunRecord.from_dict(data).inference_variant is None


def test_pick_keeps_fp32_when_the_faster_candidate_loses_too_much() -> None:
    fp32 = CandidateResult(InferenceVariant.FP32, 10.0, 0.90)
    assert pick([fp32, CandidateResult(InferenceVariant.INT8, 5.0, 0.89)]) is InferenceVariant.FP32
    assert pick([fp32, CandidateResult(InferenceVariant.INT8, 5.0, 0.896)]) is InferenceVariant.INT8


def test_an_unavailable_candidate_round_trips_and_is_never_picked() -> None:
    fp32 = CandidateResult(InferenceVariant.FP32, 10.0, 0.90)
    broken = CandidateResult(InferenceVariant.ONNX_INT8, 0.0, 0.0, unavailable="onnxruntime is not installed")
    choice = VariantChoice(pick([fp32, broken]), (fp32, broken), 300, 40)
    assert choice.chosen is InferenceVariant.FP32 and not broken.available and fp32.available
    back = VariantChoice.from_dict(json.loads(json.dumps(choice.to_dict())))
    assert back == choice and back.result("onnx-int8").unavailable == "onnxruntime is not installed"
    with pytest.raises(ValueError, match="fp32"):
        pick([CandidateResult(InferenceVariant.FP32, 0.0, 0.0, unavailable="?"), broken])


def test_which_variants_run_on_onnx_and_which_are_int8() -> None:
    assert {v for v in InferenceVariant if v.runs_on_onnx} == {InferenceVariant.ONNX_FP32, InferenceVariant.ONNX_INT8}
    assert {v for v in InferenceVariant if v.quantized} == {InferenceVariant.INT8, InferenceVariant.ONNX_INT8}
    assert InferenceVariant("onnx-int8") is InferenceVariant.ONNX_INT8
