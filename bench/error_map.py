"""The error map's 2-D layout: UMAP (umap-learn) vs openTSNE on a run's real embeddings, time and neighbourhoods.

    python -m bench.error_map [--rows 7600] [--repeats 2] [--keep FILE.npz | --scored FILE.npz]

Embeddings: a MiniLM fine-tuned as the quick demo model (2,000 sample rows, one epoch, in a temporary artifacts
folder) scores the official test split (7,600 rows, 384 dims) and keeps what its head reads, as a run stores
them (--keep saves them with the gold and predicted labels, --scored reuses such a file). Each method then lays
out the same rows:

- in a fresh Python process (import, numba's first compile for UMAP, fit): what a server's first map costs;
- in this process, repeated and alternated (median): what later maps cost.

Neighbourhoods: sklearn's trustworthiness (5 neighbours, cosine in the embedding space) and the share of each row's
10 nearest neighbours (cosine) that are still among its 10 nearest on the map, on a seeded 2,000-row sample of the
full layout. Target: at most 20 s for 7,600 rows on 2 cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

from bench.common import REPO_ROOT, emit_json, load_split, machine, median, print_table, quiet_transformers, timed

TARGET_SECONDS = 20.0
SAMPLE = 2000
METHODS = ("umap", "umap_seeded", "opentsne")
# The settings each method runs with (the winner's are agnews_core.analysis.error_map's).
FIT = {
    "umap": "import umap\n"
            "fit = lambda x: umap.UMAP(n_neighbors=15, min_dist=0.1, metric='cosine', n_jobs=2, low_memory=True)"
            ".fit_transform(x)",
    "umap_seeded": "import umap\n"  # a seed makes umap-learn run on one thread
                   "fit = lambda x: umap.UMAP(n_neighbors=15, min_dist=0.1, metric='cosine', random_state=0)"
                   ".fit_transform(x)",
    "opentsne": "from openTSNE import TSNE\n"
                "fit = lambda x: np.asarray(TSNE(perplexity=30, metric='cosine', n_jobs=2, random_state=0)"
                ".fit(x))",
}


def scored_rows(rows: int) -> dict[str, np.ndarray]:
    """Head inputs (float16, rows x 384), gold and predicted labels of the quick demo MiniLM over `rows` official
    test rows (load_split's seeded sample)."""
    from agnews_core.modeling.batch_predict import predict_probabilities
    from agnews_core.modeling.models import load_saved
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.sweeps.quick_demo import quick_demo_config
    from agnews_core.sweeps.runner import run_sweep

    quiet_transformers()
    with tempfile.TemporaryDirectory(prefix="bench-map-") as root:
        store = ArtifactStore(root)
        sweep = run_sweep(store, quick_demo_config())
        loaded = load_saved(store.model_dir(sweep.sweep_id, sweep.best_run_id))
        test = load_split("test", rows)
        seconds, table = timed(lambda: predict_probabilities(loaded.model, loaded.tokenizer, test["text"].tolist(),
                                                             embeddings=True))
    print(f"embedded {len(test):,} rows in {seconds:.1f} s; accuracy {(table.predicted == test['label']).mean():.1%}")
    return {"embeddings": table.embeddings, "label": test["label"].to_numpy(), "predicted": table.predicted}


def fresh_process_seconds(method: str, path: Path) -> float:
    """Wall time of import + fit of one method in a new interpreter (numba compiles there, as in a new server)."""
    code = "import time\nstarted = time.perf_counter()\nimport numpy as np\n" + FIT[method] + textwrap.dedent(f"""
        x = np.load({str(path)!r}).astype(np.float32)
        fit(x)
        print(time.perf_counter() - started)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return float(result.stdout.split()[-1])


def neighbourhoods(x: np.ndarray, layout: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """(trustworthiness at 5 neighbours, 10-NN kept share) on a seeded sample of the rows."""
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import NearestNeighbors

    pick = np.random.default_rng(seed).choice(len(x), size=min(SAMPLE, len(x)), replace=False)
    high, low = x[pick], layout[pick]
    trust = float(trustworthiness(high, low, n_neighbors=5, metric="cosine"))
    near_high = NearestNeighbors(n_neighbors=11, metric="cosine").fit(high).kneighbors(return_distance=False)
    near_low = NearestNeighbors(n_neighbors=11).fit(low).kneighbors(return_distance=False)
    kept = np.mean([len(set(a[:10]) & set(b[:10])) / 10 for a, b in zip(near_high, near_low, strict=True)])
    return trust, float(kept)


def slice_quality(layout: np.ndarray, label: np.ndarray, predicted: np.ndarray, ids: np.ndarray) -> dict[str, float]:
    """How good a clustering of the errors (ids: a cluster per error row, -1 none) is as a set of slices."""
    from collections import Counter

    from sklearn.metrics import silhouette_score
    from sklearn.neighbors import NearestNeighbors

    from agnews_core.analysis.error_slices import NEAR

    wrong = np.flatnonzero(label != predicted)
    clustered = ids >= 0
    found = sorted(set(ids[clustered].tolist()))
    near = NearestNeighbors(n_neighbors=NEAR).fit(layout)
    purity, rates = [], []
    for cluster in found:
        members = wrong[ids == cluster]
        pairs = Counter(zip(label[members].tolist(), predicted[members].tolist(), strict=True))
        purity.append(pairs.most_common(1)[0][1] / len(members))
        around = np.unique(near.kneighbors(layout[members], return_distance=False))
        rates.append(float((label[around] != predicted[around]).mean()))
    base = float((label != predicted).mean())
    enough = len(found) >= 2 and clustered.sum() > len(found)
    return {"slices": len(found), "errors_in_a_slice": float(clustered.mean()),
            "silhouette": float(silhouette_score(layout[wrong][clustered], ids[clustered])) if enough else float("nan"),
            "pair_purity": float(np.mean(purity)) if purity else float("nan"),
            "error_rate_lift": float(np.mean(rates) / base) if rates else float("nan")}


def compare_slicers(layout: np.ndarray, label: np.ndarray, predicted: np.ndarray) -> dict[str, dict[str, float]]:
    """HDBSCAN (agnews_core.analysis.error_slices.cluster_errors) vs k-means at 8 and 16 slices, on the errors."""
    from sklearn.cluster import KMeans

    from agnews_core.analysis.error_slices import cluster_errors

    points = layout[label != predicted]
    found = {"hdbscan": cluster_errors(points)}
    for k in (8, 16):
        found[f"kmeans_{k}"] = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(points)
    return {name: slice_quality(layout, label, predicted, ids) for name, ids in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=7600)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--scored", type=Path, help="reuse the rows a --keep run saved (.npz) instead of training")
    parser.add_argument("--keep", type=Path, help="save the scored rows here (.npz), to reuse with --scored")
    args = parser.parse_args()
    scored = dict(np.load(args.scored)) if args.scored else scored_rows(args.rows)
    if args.keep:
        np.savez(args.keep, **scored)
    x16 = scored["embeddings"]
    x = x16.astype(np.float32)
    print(f"{machine()}; {x.shape[0]:,} rows x {x.shape[1]} dims")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-map-") as scratch:
        path = Path(scratch) / "x.npy"
        np.save(path, x16)
        for method in METHODS:
            results[method] = {"fresh_process_s": fresh_process_seconds(method, path)}
    fits = {}
    for method in METHODS:
        exec(FIT[method], namespace := {"np": np})  # noqa: S102 - the fixed settings above, one source for both
        fits[method] = namespace["fit"]
    times: dict[str, list[float]] = {m: [] for m in METHODS}
    layouts: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for method in METHODS:  # alternated, so a busy spell hits every method alike
            seconds, layouts[method] = timed(lambda m=method: np.asarray(fits[m](x)))
            times[method].append(seconds)
    for method in METHODS:
        trust, kept = neighbourhoods(x, layouts[method])
        results[method].update(warm_s=median(times[method]), trustworthiness=trust, knn10_kept=kept)
    rows = [[m, r["fresh_process_s"], r["warm_s"], r["trustworthiness"], r["knn10_kept"],
             "yes" if r["fresh_process_s"] <= TARGET_SECONDS else "no"] for m, r in results.items()]
    print_table(f"2-D layout of {x.shape[0]:,} rows (target <= {TARGET_SECONDS:.0f} s)",
                ["method", "fresh process s", "warm s (median)", "trustworthiness@5", "10-NN kept", "met"], rows)
    slicers = {}
    if "label" in scored:
        for method in METHODS:
            slicers[method] = compare_slicers(layouts[method], scored["label"], scored["predicted"])
            print_table(f"Error slices on the {method} map ({int((scored['label'] != scored['predicted']).sum()):,} "
                        "errors)", ["slicer", "slices", "errors in a slice", "silhouette", "pair purity",
                                    "error-rate lift"],
                        [[n, q["slices"], q["errors_in_a_slice"], q["silhouette"], q["pair_purity"],
                          q["error_rate_lift"]] for n, q in slicers[method].items()])
    emit_json("error_map", rows=int(x.shape[0]), dims=int(x.shape[1]), target_s=TARGET_SECONDS, results=results,
              slicers=slicers)


if __name__ == "__main__":
    main()
