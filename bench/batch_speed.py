"""train_model examples/s at several batch sizes over the same rows, interleaved: for choosing the default batch."""

from __future__ import annotations

import argparse

from bench.common import emit_json, load_split, median, print_table, quiet_transformers
from bench.train_throughput import ours_examples_per_second


def main() -> None:
    """Alternate batch sizes for a few repeats; print median examples/s of each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch-sizes", default="8,16", help="comma-separated (default 8,16)")
    parser.add_argument("--rows", type=int, default=512, help="rows per measurement, one epoch (default 512)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    quiet_transformers()
    sizes = [int(x) for x in args.batch_sizes.split(",")]
    pool = load_split("train", args.rows, seed=1)
    validation = load_split("test", 32, seed=2)
    runs: dict[int, list[float]] = {b: [] for b in sizes}
    for repeat in range(args.repeats):
        for batch in sizes:
            runs[batch].append(ours_examples_per_second(pool, validation, seed=repeat, batch_size=batch))
    base = median(runs[sizes[0]])
    print_table(f"train_model examples/s, {args.rows} rows, median of {args.repeats}", ["batch", "examples/s", "runs",
                f"vs batch {sizes[0]}"], [(b, median(v), ", ".join(f"{x:.1f}" for x in v), median(v) / base)
                                          for b, v in runs.items()])
    emit_json("batch_speed", rows=args.rows, examples_per_second={str(b): median(v) for b, v in runs.items()},
              runs={str(b): v for b, v in runs.items()})


if __name__ == "__main__":
    main()
