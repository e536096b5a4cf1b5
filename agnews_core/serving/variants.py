"""Pick how to serve one fine-tuned model by measuring it: torch fp32, dynamic int8 or bf16 autocast, or
onnxruntime fp32 or int8 (an ONNX export next to the model).

The choice is per model and per machine: int8 lost 0.8 points on one model and 0.2 on another, and bf16 only
pays on CPUs with native bf16. Candidates within MAX_DROP_POINTS of fp32 accuracy compete on p50 latency; an ONNX
variant that cannot be exported or loaded here is recorded as unavailable, with the reason, and never chosen.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agnews_core.modeling.models import LoadedModel
from agnews_core.serving.onnx_export import onnx_folder
from agnews_core.serving.predictor import OnnxUnavailable, Predictor
from agnews_core.store.variant_record import MAX_DROP_POINTS, CandidateResult, InferenceVariant, VariantChoice, pick

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)
__all__ = ["CANDIDATES", "MAX_DROP_POINTS", "CandidateResult", "InferenceVariant", "VariantChoice", "choose_variant", "pick"]

CANDIDATES = (InferenceVariant.FP32, InferenceVariant.INT8, InferenceVariant.BF16, InferenceVariant.ONNX_FP32,
              InferenceVariant.ONNX_INT8)
ACCURACY_BATCH = 64  # accuracy uses the batched path of every variant, int8 ones included (many rows, little time)


def _accuracy(predictor: Predictor, texts: Sequence[str], labels: Sequence[int]) -> float:
    predicted = predictor.probabilities(list(texts), batch_size=ACCURACY_BATCH).argmax(axis=1)
    hits = sum(int(p) == int(y) for p, y in zip(predicted, labels, strict=True))
    return hits / len(labels) if len(labels) else 0.0


def _predictor(loaded: LoadedModel, max_length: int, name: InferenceVariant, onnx_dir: Path) -> Predictor | str:
    """The variant's Predictor, or why it cannot run here (only ONNX variants can be unavailable)."""
    try:
        return Predictor(loaded, max_length, variant=name, onnx_dir=onnx_dir)
    except OnnxUnavailable as exc:
        logger.warning("%s is unavailable for %s: %s", name, loaded.name, exc)
        return str(exc) or type(exc).__name__


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
    onnx_dir: Path | None = None,
) -> VariantChoice:
    """Measure each candidate on (texts, labels) and time single-text calls on headlines (default: texts[:40]).

    loaded.model is left in fp32 (int8 works on a copy); accuracy uses the batched path under each variant.
    The ONNX variants export into onnx_dir, where serving reuses the files (None: a temporary folder).
    """
    if not texts or len(texts) != len(labels):
        raise ValueError("choose_variant needs validation texts and as many labels")
    names = [InferenceVariant(c) for c in candidates]
    if InferenceVariant.FP32 not in names:
        names.insert(0, InferenceVariant.FP32)
    headlines = list(headlines) if headlines is not None else list(texts[:40])
    with contextlib.ExitStack() as stack:
        if onnx_dir is None:
            onnx_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="agnews-onnx-")))
        made = {name: _predictor(loaded, max_length, name, onnx_dir) for name in names}
        ready = {name: p for name, p in made.items() if isinstance(p, Predictor)}
        latencies = dict(zip(ready, _p50_latencies(list(ready.values()), headlines, rounds), strict=True))
        results = tuple(
            CandidateResult(name, round(latencies[name], 3), _accuracy(made[name], texts, labels))
            if name in ready else CandidateResult(name, 0.0, 0.0, unavailable=str(made[name]))
            for name in names
        )
    return VariantChoice(pick(results, max_drop_points), results, len(texts), len(headlines), max_drop_points)


# Cost when a sweep saves a model: accuracy on this many validation rows per candidate, and single-text latency
# over this many headlines (in LATENCY_ROUNDS interleaved rounds). bench/README.md gives the seconds it adds.
SAVE_ROWS = 300
SAVE_HEADLINES = 40
LATENCY_ROUNDS = 2


def choose_on_validation(loaded: LoadedModel, validation: pd.DataFrame, max_length: int,
                         model_dir: Path | None = None) -> VariantChoice | None:
    """choose_variant on the first SAVE_ROWS validation rows; None (logged) when the model cannot be measured.

    model_dir: the folder the model is saved in; its ONNX exports are kept there for serving.
    """
    rows = validation.head(SAVE_ROWS)
    try:
        return choose_variant(loaded, rows["text"].astype(str).tolist(), rows["label"].astype(int).tolist(),
                              headlines=rows["text"].astype(str).tolist()[:SAVE_HEADLINES], max_length=max_length,
                              rounds=LATENCY_ROUNDS, onnx_dir=onnx_folder(model_dir) if model_dir else None)
    except Exception:  # noqa: BLE001 - a failed measurement means "serve fp32", never a failed run
        logger.exception("the inference variant could not be measured; predictions will use fp32")
        return None
