"""Seconds a sweep adds to measure how to serve a saved model (inference_variants.choose_on_validation).

One command: `.venv/bin/python -m bench.variant_choice [--model minilm] [--repeats 3]`. MiniLM with its
untrained head stands in for a fine-tuned run (the cost depends on the architecture, not the weights); the rows are
the sweep's own validation rows of the bundled sample. Prints one JSON line with the median seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from agnews_core.config.precision import hardware_info
    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.data.sources import load_source, make_splits
    from agnews_core.modeling.models import load_pretrained
    from agnews_core.serving.variants import LATENCY_ROUNDS, SAVE_HEADLINES, SAVE_ROWS, choose_on_validation

    config = SweepConfig(model=args.model, data="sample")
    splits = make_splits(load_source("sample"), config)
    loaded = load_pretrained(config.model, config.seed, splits.train["text"])
    seconds, choices = [], []
    for _ in range(args.repeats + 1):  # the first pass warms up kernels and the int8 copy's allocations
        started = time.perf_counter()
        choice = choose_on_validation(loaded, splits.validation, config.max_length)
        seconds.append(time.perf_counter() - started)
        choices.append(choice.to_dict() if choice else None)
        print(f"{seconds[-1]:6.1f} s  chosen {choice.chosen if choice else '-'}", flush=True)
    print(json.dumps({
        "benchmark": "variant_choice", "model": args.model, "rows": SAVE_ROWS, "headlines": SAVE_HEADLINES,
        "rounds": LATENCY_ROUNDS, "median_seconds": round(statistics.median(seconds[1:]), 1),
        "first_seconds": round(seconds[0], 1), "last_choice": choices[-1], "hardware": hardware_info().describe(),
        "load_average": os.getloadavg()[0],
    }))


if __name__ == "__main__":
    main()
