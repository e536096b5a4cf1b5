"""How one fine-tuned model is served (torch fp32, int8 or bf16; ONNX Runtime fp32 or int8) and why.

Kept apart from serving.variants (which measures) so run records can hold a VariantChoice without torch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class InferenceVariant(StrEnum):
    """How a Predictor runs the model on the CPU."""

    FP32 = "fp32"
    INT8 = "int8"  # dynamic int8 Linear layers
    BF16 = "bf16"  # fp32 weights, forward pass under torch.autocast(bfloat16)
    ONNX_FP32 = "onnx-fp32"  # the model exported to ONNX, run by onnxruntime on the CPU
    ONNX_INT8 = "onnx-int8"  # that export with int8 weights (onnxruntime dynamic quantization)

    @property
    def runs_on_onnx(self) -> bool:
        """Whether onnxruntime answers (from an export next to the model) instead of torch."""
        return self in (InferenceVariant.ONNX_FP32, InferenceVariant.ONNX_INT8)

    @property
    def quantized(self) -> bool:
        """int8 weights with activations quantized per call: a text's scores then depend on its batch."""
        return self in (InferenceVariant.INT8, InferenceVariant.ONNX_INT8)


MAX_DROP_POINTS = 0.5


@dataclass(frozen=True)
class CandidateResult:
    """One variant's measurements: single-text p50 latency and accuracy on the validation rows."""

    name: InferenceVariant
    p50_ms: float
    accuracy: float
    unavailable: str = ""  # why it could not run here (export failed, onnxruntime missing); then p50 and accuracy are 0

    @property
    def available(self) -> bool:
        return not self.unavailable


@dataclass(frozen=True)
class VariantChoice:
    """The chosen variant and what every candidate measured (stored in run.json)."""

    chosen: InferenceVariant
    candidates: tuple[CandidateResult, ...]
    rows: int  # validation rows the accuracies are on
    latency_calls: int  # timed single-text calls per candidate
    max_drop_points: float = MAX_DROP_POINTS

    def result(self, name: InferenceVariant | str) -> CandidateResult:
        """The measurements of one candidate; KeyError when it was not measured."""
        for candidate in self.candidates:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "chosen": str(self.chosen),
            "candidates": [{"name": str(c.name), "p50_ms": c.p50_ms, "accuracy": c.accuracy,
                            **({"unavailable": c.unavailable} if c.unavailable else {})} for c in self.candidates],
            "rows": self.rows,
            "latency_calls": self.latency_calls,
            "max_drop_points": self.max_drop_points,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VariantChoice:
        """Inverse of to_dict; KeyError/ValueError on malformed input."""
        return cls(
            chosen=InferenceVariant(data["chosen"]),
            candidates=tuple(CandidateResult(InferenceVariant(c["name"]), float(c["p50_ms"]), float(c["accuracy"]),
                                             str(c.get("unavailable", ""))) for c in data["candidates"]),
            rows=int(data["rows"]),
            latency_calls=int(data["latency_calls"]),
            max_drop_points=float(data.get("max_drop_points", MAX_DROP_POINTS)),
        )


def pick(candidates: Sequence[CandidateResult], max_drop_points: float = MAX_DROP_POINTS) -> InferenceVariant:
    """The fastest available candidate whose accuracy is within max_drop_points of fp32's (fp32 always qualifies)."""
    baseline = next((c for c in candidates if c.name is InferenceVariant.FP32 and c.available), None)
    if baseline is None:
        raise ValueError("the candidates must include fp32, the accuracy reference")
    floor = baseline.accuracy - max_drop_points / 100 - 1e-12  # 1e-12: equal accuracies must not lose to rounding
    eligible = [c for c in candidates if c.available and c.accuracy >= floor]
    return min(eligible, key=lambda c: (c.p50_ms, c.name is not InferenceVariant.FP32)).name
