"""openTSNE on 1 thread vs 2, alternated in one process, at several row counts (the error map's layout settings).

    python -m bench.tsne_threads [--rows 220,1000,3000,7600] [--repeats 2]

Rows are seeded Gaussian vectors of 384 dims (the shape of a run's stored embeddings; the layout's cost depends
on the row count and the neighbourhoods, so real embeddings can differ). Prints a table, then one JSON line with
the load average before and after: openTSNE's OpenMP threads wait for each other at every iteration, so a busy
second core slows 2 threads far more than 1.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from agnews_core.analysis.error_map import PERPLEXITY
from bench.common import emit_json, median, print_table


def fit_seconds(vectors: np.ndarray, threads: int) -> float:
    from openTSNE import TSNE

    start = time.perf_counter()
    TSNE(perplexity=min(PERPLEXITY, (len(vectors) - 1) / 3), metric="cosine", n_jobs=threads,
         random_state=0).fit(vectors)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="220,1000,3000,7600")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows_out, results = [], {}
    for rows in (int(r) for r in args.rows.split(",")):
        vectors = np.random.default_rng(0).normal(size=(rows, 384)).astype(np.float32)
        times: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeats):
            for threads in (1, 2):
                times[threads].append(fit_seconds(vectors, threads))
        one, two = median(times[1]), median(times[2])
        results[rows] = {"one_thread_s": round(one, 2), "two_threads_s": round(two, 2), "ratio": round(two / one, 2)}
        rows_out.append([f"{rows:,}", f"{one:.2f} s", f"{two:.2f} s", f"{two / one:.2f}x"])
    print_table("openTSNE threads", ["rows", "1 thread (median)", "2 threads (median)", "2 / 1"], rows_out)
    emit_json("tsne_threads", results=results, load_before=round(load_before, 2))


if __name__ == "__main__":
    main()
