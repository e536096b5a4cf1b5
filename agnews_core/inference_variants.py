"""Pick how to serve one fine-tuned model by measuring it: fp32, dynamic int8 or bf16 autocast.

The choice is per model and per machine: int8 lost 0.8 points on one model and 0.2 on another, and bf16 only
pays on CPUs with native bf16. Candidates within MAX_DROP_POINTS of fp32 accuracy compete on p50 latency.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agnews_core.live_predict import InferenceVariant, Predictor
from agnews_core.models import LoadedModel

MAX_DROP_POINTS = 0.5
CANDIDATES = (InferenceVariant.FP32, InferenceVariant.INT8, InferenceVariant.BF16)


@dataclass(frozen=True)
class CandidateResult:
    """One variant's measurements: single-text p50 latency and accuracy on the validation rows."""

    name: InferenceVariant
    p50_ms: float
    accuracy: float


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
            "candidates": [{"name": str(c.name), "p50_ms": c.p50_ms, "accuracy": c.accuracy} for c in self.candidates],
            "rows": self.rows,
            "latency_calls": self.latency_calls,
            "max_drop_points": self.max_drop_points,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VariantChoice:
        """Inverse of to_dict; KeyError/ValueError on malformed input."""
        return cls(
            chosen=InferenceVariant(data["chosen"]),
            candidates=tuple(CandidateResult(InferenceVariant(c["name"]), float(c["p50_ms"]), float(c["accuracy"]))
                             for c in data["candidates"]),
            rows=int(data["rows"]),
            latency_calls=int(data["latency_calls"]),
            max_drop_points=float(data.get("max_drop_points", MAX_DROP_POINTS)),
        )


def pick(candidates: Sequence[CandidateResult], max_drop_points: float = MAX_DROP_POINTS) -> InferenceVariant:
    """The fastest candidate whose accuracy is within max_drop_points of fp32's (fp32 itself always qualifies)."""
    baseline = next((c for c in candidates if c.name is InferenceVariant.FP32), None)
    if baseline is None:
        raise ValueError("the candidates must include fp32, the accuracy reference")
    floor = baseline.accuracy - max_drop_points / 100 - 1e-12  # 1e-12: equal accuracies must not lose to rounding
    eligible = [c for c in candidates if c.accuracy >= floor]
    return min(eligible, key=lambda c: (c.p50_ms, c.name is not InferenceVariant.FP32)).name


def _accuracy(predictor: Predictor, texts: Sequence[str], labels: Sequence[int], max_length: int) -> float:
    from agnews_core.batch_predict import predict_probabilities

    with predictor.forward_context():  # the variant's autocast (bf16) or nothing
        table = predict_probabilities(predictor.model, predictor.tokenizer, texts, max_length=max_length)
    hits = sum(int(p) == int(y) for p, y in zip(table.predicted, labels, strict=True))
    return hits / len(labels) if len(labels) else 0.0


def _p50_latencies(predictors: Sequence[Predictor], headlines: Sequence[str], rounds: int) -> list[float]:
    """p50 ms per predictor, timed from outside predict(), interleaved in rounds so contention hits all alike."""
    import statistics

    timings: list[list[float]] = [[] for _ in predictors]
    for predictor in predictors:  # warm-up: first calls allocate and pick kernels
        for text in headlines[:3]:
            predictor.predict(text)
    per_round = max(1, len(headlines) // rounds)
    for r in range(rounds):
        for i, predictor in enumerate(predictors):
            for text in headlines[r * per_round : (r + 1) * per_round]:
                started = time.perf_counter()
                predictor.predict(text)
                timings[i].append((time.perf_counter() - started) * 1000)
    return [float(statistics.median(t)) for t in timings]


def choose_variant(
    loaded: LoadedModel,
    texts: Sequence[str],
    labels: Sequence[int],
    headlines: Sequence[str] | None = None,
    max_length: int = 128,
    candidates: Sequence[InferenceVariant | str] = CANDIDATES,
    rounds: int = 2,
    max_drop_points: float = MAX_DROP_POINTS,
) -> VariantChoice:
    """Measure each candidate on (texts, labels) and time single-text calls on headlines (default: texts[:40]).

    loaded.model is left in fp32 (int8 works on a copy); accuracy uses the batched path under each variant.
    """
    if not texts or len(texts) != len(labels):
        raise ValueError("choose_variant needs validation texts and as many labels")
    names = [InferenceVariant(c) for c in candidates]
    if InferenceVariant.FP32 not in names:
        names.insert(0, InferenceVariant.FP32)
    headlines = list(headlines) if headlines is not None else list(texts[:40])
    predictors = [Predictor(loaded, max_length, variant=name) for name in names]
    latencies = _p50_latencies(predictors, headlines, rounds)
    results = tuple(
        CandidateResult(name, round(p50, 3), _accuracy(predictor, texts, labels, max_length))
        for name, predictor, p50 in zip(names, predictors, latencies, strict=True)
    )
    return VariantChoice(pick(results, max_drop_points), results, len(texts), len(headlines), max_drop_points)
