"""Validation examples/s: the notebook's decode-and-classify-one-row loop vs agnews_core.modeling.batch_predict.predict_probabilities."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.common import (
    emit_json,
    load_minilm,
    load_split,
    median,
    print_table,
    quiet_transformers,
    ratio,
    timed,
)

TARGET = 1.5
MAX_LENGTH = 128


def notebook_loop(model: Any, tokenizer: Any, padded_ids: Sequence[Sequence[int]]) -> list[int]:
    """The notebook: decode each padded row back to text, then classify() it alone (no_grad, argmax)."""
    import torch

    predictions = []
    for ids in padded_ids:
        text = tokenizer.decode(ids, skip_special_tokens=True)
        inputs = tokenizer(text, return_tensors="pt", truncation=True, padding=True, max_length=MAX_LENGTH)
        with torch.no_grad():
            outputs = model(**inputs)
        predictions.append(int(torch.argmax(outputs.logits, dim=-1).item()))
    return predictions


def plain_batched(model: Any, tokenizer: Any, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Reference: batches in the original order, padded to the longest of each batch, no sorting."""
    import torch

    chunks = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(list(texts[start : start + batch_size]), truncation=True, max_length=MAX_LENGTH,
                              padding=True, return_tensors="pt")
            chunks.append(torch.softmax(model(**batch).logits.float(), dim=-1).numpy())
    return np.concatenate(chunks)


def load_model(artifacts: str | None) -> tuple[Any, str]:
    """The best run of the latest sweep in artifacts when given, else a fresh MiniLM (untrained head)."""
    if artifacts:
        from agnews_core.modeling.models import load_saved
        from agnews_core.serving.predictor import default_run
        from agnews_core.store.artifact_store import ArtifactStore

        store = ArtifactStore(artifacts)
        ref = default_run(store)
        if ref is not None:
            return load_saved(store.model_dir(ref.sweep_id, ref.run_id)), f"fine-tuned {ref.sweep_id}/{ref.run_id}"
    return load_minilm(), "MiniLM, untrained head"


def main() -> None:
    """Alternate the two recipes over the same validation rows; check predictions against a plain batch."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=500, help="validation rows (default 500, the sweep's eval size)")
    parser.add_argument("--repeats", type=int, default=3, help="measurements of each recipe (default 3)")
    parser.add_argument("--artifacts", default=None, help="use the best saved run of this artifacts folder")
    args = parser.parse_args()
    quiet_transformers()
    from agnews_core.modeling.batch_predict import predict_probabilities

    loaded, described = load_model(args.artifacts)
    model, tokenizer = loaded.model.eval(), loaded.tokenizer
    frame = load_split("train", args.rows, seed=3)
    texts, labels = frame["text"].tolist(), frame["label"].to_numpy()
    padded = tokenizer(texts, padding="max_length", truncation=True, max_length=MAX_LENGTH)["input_ids"]
    predict_probabilities(model, tokenizer, texts[:64])  # warm-up: first oneDNN calls are slow
    rows, baseline, ours = [], [], []
    for repeat in range(args.repeats):
        seconds, notebook_predictions = timed(lambda: notebook_loop(model, tokenizer, padded))
        baseline.append(len(texts) / seconds)
        table = predict_probabilities(model, tokenizer, texts, max_length=MAX_LENGTH)
        ours.append(table.examples_per_second)
        rows.append((repeat + 1, baseline[-1], ours[-1], ours[-1] / baseline[-1]))
    print_table(f"Evaluation throughput, {described}, {len(texts)} validation rows (examples/s)",
                ["repeat", "notebook (decode + one row at a time)", "ours (batched, length-sorted, raw text)",
                 "ratio"], rows)
    reference = plain_batched(model, tokenizer, texts)
    differing = int((reference.argmax(axis=1) != table.predicted).sum())
    max_diff = float(np.abs(reference - table.probabilities).max())
    notebook_accuracy = float((np.asarray(notebook_predictions) == labels).mean())
    ours_accuracy = float((table.predicted == labels).mean())
    print(f"\npredictions vs plain batched reference (original order, padded): {differing} of {len(texts)} differ, "
          f"max |probability difference| {max_diff:.2e}")
    print(f"accuracy on these rows: notebook loop (decoded text) {notebook_accuracy:.4f}, ours (raw text) {ours_accuracy:.4f}")
    result = ratio(median(ours), median(baseline))
    print(f"median: notebook {median(baseline):.1f} ex/s, ours {median(ours):.1f} ex/s, "
          f"ratio {result:.2f}x (target >= {TARGET}x: {'met' if result >= TARGET else 'NOT met'})")
    emit_json("eval_throughput", model=described, rows=len(texts), repeats=args.repeats,
              baseline_examples_per_second=median(baseline), ours_examples_per_second=median(ours), ratio=result,
              target=TARGET, met=result >= TARGET, predictions_identical=differing == 0,
              differing_predictions=differing, max_probability_difference=max_diff,
              baseline_runs=baseline, ours_runs=ours)
    assert differing == 0, f"{differing} predictions differ from the plain batched reference"


if __name__ == "__main__":
    main()
