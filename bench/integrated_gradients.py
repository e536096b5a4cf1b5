"""Integrated Gradients (captum) over the input embeddings of an fp32 classifier, summed per word: for comparison.

bench/attribution.py measured it against word occlusion, which the app keeps (bench/README.md, "Word attributions").
captum is not a project dependency: `pip install captum==0.9.0` to rerun the comparison.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import numpy as np

from agnews_core.serving.attribution import Attribution
from agnews_core.serving.predictor import clean_text

INTEGRATED_GRADIENTS = "integrated gradients"
STEPS = 32  # interpolation steps from the all-[PAD] baseline; one batched forward + backward of this many rows


def word_index_of_tokens(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """For each token's character span, the whitespace word it lies in; -1 for special tokens."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    starts = [s for s, _ in spans]
    result = []
    for start, end in offsets:
        word = bisect.bisect_right(starts, start) - 1
        result.append(word if end > start and word >= 0 and start < spans[word][1] else -1)
    return result


def integrated_gradients(text: str, model: Any, tokenizer: Any, label_id: int | None = None, steps: int = STEPS,
                         max_length: int = 128) -> Attribution:
    """Each word's share of (probability of the label) - (probability for an all-[PAD] text), by IG.

    Needs gradients, so an fp32 (or bf16) model; not the int8 one. TextError for empty text.
    """
    import torch
    from captum.attr import LayerIntegratedGradients

    clean = clean_text(text)
    encoded = tokenizer(clean.text, truncation=True, max_length=max_length, return_offsets_mapping=True,
                        return_special_tokens_mask=True, return_tensors="pt")
    input_ids, mask = encoded["input_ids"], encoded["attention_mask"]
    baseline = torch.where(encoded["special_tokens_mask"].bool(), input_ids, tokenizer.pad_token_id)
    model.eval()

    def forward(ids: Any, attention_mask: Any) -> Any:
        return torch.softmax(model(input_ids=ids, attention_mask=attention_mask).logits.float(), dim=-1)

    with torch.no_grad():
        probs = forward(input_ids, mask)[0]
    target = int(probs.argmax()) if label_id is None else int(label_id)
    explainer = LayerIntegratedGradients(forward, model.get_input_embeddings())
    token_scores = explainer.attribute(input_ids, baselines=baseline, additional_forward_args=(mask,), target=target,
                                       n_steps=steps, internal_batch_size=steps)
    per_token = token_scores.sum(dim=-1)[0].detach().numpy()
    words = clean.text.split()
    scores = np.zeros(len(words))
    owners = word_index_of_tokens(clean.text, [tuple(o) for o in encoded["offset_mapping"][0].tolist()])
    for owner, score in zip(owners, per_token, strict=True):
        if owner >= 0:
            scores[owner] += score
    read = max((o for o in owners if o >= 0), default=-1) + 1  # words past the token limit were never read
    return Attribution(tuple(words), tuple(float(s) for s in scores), target, float(probs[target]),
                       INTEGRATED_GRADIENTS, truncated=clean.truncated or read < len(words))
