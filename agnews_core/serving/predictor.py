"""Live predictions for single texts from a saved run or the untrained model."""

from __future__ import annotations

import contextlib
import logging
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agnews_core.labels import AG_NEWS
from agnews_core.modeling.models import LoadedModel, load_pretrained, load_saved
from agnews_core.serving.onnx_export import load_onnx, onnx_folder
from agnews_core.serving.onnx_session import OnnxUnavailable, softmax
from agnews_core.states import RunState
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore
from agnews_core.store.variant_record import InferenceVariant

__all__ = ["InferenceVariant", "OnnxUnavailable", "Predictor"]

logger = logging.getLogger(__name__)

MAX_CHARS = 5_000  # far past the 128 tokens the model reads; keeps tokenizing a pasted book fast
UNTRAINED_RUN = "untrained"
# None: use the variant the run recorded (variants.choose_variant, measured per model), else fp32.
# A global int8 default lost 0.8 points on one model and CPU, so it is no longer assumed.
DEFAULT_VARIANT: InferenceVariant | None = None
RUN_VARIANT_KEY = "inference_variant"  # run.json key holding an inference_variants.VariantChoice as a dict


class TextError(ValueError):
    """The text cannot be classified; the message says what to do."""


@dataclass(frozen=True)
class CleanText:
    """Text ready for the model, and whether it was shortened."""

    text: str
    truncated: bool
    original_chars: int


@dataclass(frozen=True)
class Prediction:
    """The label of one text with every class probability and the time it took."""

    label_id: int
    probabilities: tuple[float, ...]
    latency_ms: float
    truncated: bool
    names: tuple[str, ...] = AG_NEWS.names  # the model's label names in id order

    @property
    def label(self) -> str:
        """Name of the predicted label."""
        return self.names[self.label_id]

    def ranked(self, limit: int | None = None) -> list[tuple[str, float]]:
        """(label name, probability), most probable first; the first `limit` when given."""
        order = sorted(range(len(self.probabilities)), key=lambda i: (-self.probabilities[i], i))
        return [(self.names[i], self.probabilities[i]) for i in order[:limit]]

    @property
    def confidence(self) -> float:
        """Probability of the predicted label."""
        return self.probabilities[self.label_id]


def clean_text(text: str | None) -> CleanText:
    """Blank out control characters, reject empty text, cut very long text to MAX_CHARS."""
    raw = "" if text is None else str(text)
    # Only control characters go; format characters (zero-width joiners, RTL marks) shape emoji and scripts.
    kept = "".join(" " if unicodedata.category(ch) == "Cc" and ch not in "\n\t" else ch for ch in raw)
    if not kept.strip():
        raise TextError("This text is empty: type a headline or pick a sample.")
    kept = kept.strip()
    truncated = len(kept) > MAX_CHARS
    return CleanText(kept[:MAX_CHARS], truncated, len(raw))


@dataclass(frozen=True)
class RunRef:
    """Which model to predict with: a run of a sweep, or the untrained model of a sweep's config."""

    sweep_id: str
    run_id: str

    @property
    def is_untrained(self) -> bool:
        return self.run_id == UNTRAINED_RUN


def runs_with_models(store: ArtifactStore) -> list[RunRef]:
    """Every finished run that kept its weights: final trainings first, then newest sweep first, best run first."""
    refs: list[RunRef] = []
    sweeps, _ = store.list_sweeps()
    sweeps.sort(key=lambda sweep: not sweep.config.final_of)  # stable: newest first within each group
    for sweep in sweeps:
        runs, _ = store.load_runs(sweep)
        saved = [r for r in runs if r.status == RunState.DONE and store.has_model(sweep.sweep_id, r.run_id)]
        saved.sort(key=lambda r: (r.run_id != sweep.best_run_id, r.index))
        refs.extend(RunRef(sweep.sweep_id, r.run_id) for r in saved)
    return refs


def default_run(store: ArtifactStore) -> RunRef | None:
    """The latest final training with weights, else the best run of the latest sweep that has one."""
    refs = runs_with_models(store)
    return refs[0] if refs else None


def parse_run_ref(store: ArtifactStore, text: str) -> RunRef:
    """'SWEEP/RUN', 'SWEEP' (its best run) or 'SWEEP/untrained'."""
    sweep_id, _, run_id = text.strip().partition("/")
    sweep = store.load_sweep(sweep_id)
    if not run_id:
        run_id = sweep.best_run_id
        if not run_id:
            raise ArtifactError(f"sweep {sweep_id} has no finished run to predict with")
    if run_id != UNTRAINED_RUN and run_id not in sweep.run_ids:
        raise ArtifactError(f"sweep {sweep_id} has no run {run_id!r} (runs: {', '.join(sweep.run_ids)})")
    return RunRef(sweep_id, run_id)


def quantize_dynamic_int8(model: Any) -> Any:
    """int8 weights for every Linear layer, activations quantized on the fly (CPU inference)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        # torch 2.13 deprecates torch.ao.quantization and qint8 tensors (moving to torchao); both still work and are
        # what bench/latency.py measured.
        warnings.filterwarnings("ignore", message="torch.ao.quantization is deprecated", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message="torch.quantize_per_tensor", category=UserWarning)
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def prepare_variant(model: Any, variant: InferenceVariant | str) -> tuple[Any, Callable[[], Any]]:
    """(model to call, context manager factory for each forward pass) for one inference variant."""
    import torch

    variant = InferenceVariant(variant)
    if variant is InferenceVariant.INT8:
        return quantize_dynamic_int8(model), contextlib.nullcontext
    if variant is InferenceVariant.BF16:
        return model, lambda: torch.autocast("cpu", dtype=torch.bfloat16)
    return model, contextlib.nullcontext


def recorded_variant(store: ArtifactStore, ref: RunRef) -> InferenceVariant | None:
    """The variant chosen by measurement and stored in the run's run.json, if any (unknown names read as none)."""
    if ref.is_untrained:
        return None
    try:
        choice = store.load_run(ref.sweep_id, ref.run_id).inference_variant
    except (ArtifactError, OSError, ValueError):
        return None
    return choice.chosen if choice else None


class Predictor:
    """A loaded model that classifies one text at a time; safe to share between threads.

    variant picks torch fp32 / int8 / bf16 or onnxruntime's onnx-fp32 / onnx-int8 (None: fp32). The ONNX variants
    export the model into onnx_dir once (None: a temporary folder) and raise OnnxUnavailable when they cannot;
    they keep no torch model (model is None) and answer through onnx, an onnx_session.OnnxClassifier.
    """

    def __init__(self, loaded: LoadedModel, max_length: int = 128, variant: InferenceVariant | str | None = None,
                 onnx_dir: Path | None = None) -> None:
        import threading

        loaded.model.eval()
        self.variant = InferenceVariant(variant) if variant is not None else InferenceVariant.FP32
        self.onnx = None
        if self.variant.runs_on_onnx:
            if onnx_dir is None:
                import tempfile

                self._scratch = tempfile.TemporaryDirectory(prefix="agnews-onnx-")  # removed with the predictor
                onnx_dir = Path(self._scratch.name)
            self.onnx = load_onnx(loaded, self.variant, onnx_dir)
            self.model, self.forward_context = None, contextlib.nullcontext
        else:
            self.model, self.forward_context = prepare_variant(loaded.model, self.variant)
        self.tokenizer = loaded.tokenizer
        self.max_length = max_length
        self.names = loaded.labels.names
        self._lock = threading.Lock()  # torch modules are not guaranteed re-entrant

    @property
    def quantized(self) -> bool:
        """Whether the model runs with int8 weights (torch's or onnxruntime's)."""
        return self.variant.quantized

    @classmethod
    def for_run(cls, store: ArtifactStore, ref: RunRef, variant: InferenceVariant | str | None = None) -> Predictor:
        """Load a run's saved model, or a fresh untrained one with the sweep's model and seed.

        With variant None, use the run's recorded variant, else fp32; a recorded ONNX variant that cannot load
        here (onnxruntime missing, export failed) serves fp32 instead, and says so in the log.
        """
        sweep = store.load_sweep(ref.sweep_id)
        if ref.is_untrained:
            texts = None
            if sweep.config.model == "tiny":
                from agnews_core.data.sources import load_source, make_splits

                texts = make_splits(load_source(sweep.dataset_id or sweep.config.data, store.root),
                                    sweep.config).train["text"]
            loaded = load_pretrained(sweep.config.model, sweep.config.seed, texts, sweep.labels)
        else:
            loaded = load_saved(store.model_dir(ref.sweep_id, ref.run_id))
        onnx_dir = None if ref.is_untrained else onnx_folder(store.model_dir(ref.sweep_id, ref.run_id))
        if variant is not None:
            return cls(loaded, sweep.config.max_length, variant=variant, onnx_dir=onnx_dir)
        chosen = recorded_variant(store, ref) or InferenceVariant.FP32
        try:
            return cls(loaded, sweep.config.max_length, variant=chosen, onnx_dir=onnx_dir)
        except OnnxUnavailable as exc:
            logger.warning("run %s/%s was chosen to serve as %s, which cannot load here (%s): serving fp32",
                           ref.sweep_id, ref.run_id, chosen, exc)
            return cls(loaded, sweep.config.max_length, variant=InferenceVariant.FP32)

    def predict(self, text: str | None) -> Prediction:
        """Label and probabilities of one text; TextError for empty text."""
        clean = clean_text(text)
        started = time.perf_counter()
        if self.onnx is not None:
            with self._lock:
                batch = self.tokenizer(clean.text, truncation=True, max_length=self.max_length, return_tensors="np")
                probabilities = softmax(self.onnx.logits(batch))[0].tolist()
        else:
            import torch

            with self._lock, torch.inference_mode(), self.forward_context():
                batch = self.tokenizer(clean.text, truncation=True, max_length=self.max_length, return_tensors="pt")
                logits = self.model(**batch).logits[0].float()
                probabilities = torch.softmax(logits, dim=-1).tolist()
        latency = (time.perf_counter() - started) * 1000
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        return Prediction(best, tuple(probabilities), latency, clean.truncated, self.names)

    def probabilities(self, texts: list[str], batch_size: int | None = None) -> Any:
        """(n, classes) class probabilities of many texts in length-sorted batches, under the same lock as predict()
        (word occlusion calls this with one text and its variants)."""
        from agnews_core.modeling.batch_predict import predict_probabilities

        # int8 dynamic quantization scales activations per batch: a text batched with others gets other
        # probabilities than alone (0.43 vs 0.59 seen), so int8 scores one text at a time, as predict() does.
        batch_size = batch_size or (1 if self.quantized else 64)
        if self.onnx is not None:
            with self._lock:
                return self.onnx.probabilities(self.tokenizer, list(texts), batch_size, self.max_length)
        with self._lock, self.forward_context():  # the same variant (fp32, int8, bf16 autocast) as predict()
            return predict_probabilities(self.model, self.tokenizer, list(texts), batch_size=batch_size,
                                         max_length=self.max_length).probabilities
