"""Label-noise detection: flip 5 % of train labels, find them again with TF-IDF cross-validation + cleanlab.

    python -m bench.label_noise [--noise 0.05] [--seed 0] [--folds 5] [--jobs 1] [--class-noise]
        [--methods tfidf,embeddings,combined] [--sweep [--lrs 1e-4]]

Copies the AG News folder (../shared/data/ag_news beside the repo; AGNEWS_BENCH_DATA overrides) to a
temporary folder, flips a seeded 5 % of its train labels to another class, loads it as a sweep would,
and times agnews_core.review.suspects on every train row. Prints precision and recall of cleanlab's flags
against the flipped rows, and of the top-k rows by label-quality score, for each way of scoring training rows
out of sample: TF-IDF, frozen MiniLM sentence embeddings, and their average (the app's default).
--class-noise flips Business <-> Sci/Tech only (class-dependent noise), --noise of those two classes' rows.

With --sweep it then trains a default sweep (`python -m agnews_core sweep --data <copy>`) twice on the noisy
copy: with verdicts ignored, and with the true fixes recorded as verdicts ("the gold label is wrong, it should be
X" for every flipped row) and `--corrections apply`; it prints the accuracy each best run reaches on the clean
official test split (the flips touch train rows only).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import REPO_ROOT, emit_json, print_table, timed

DATA_DIR = Path(os.environ.get("AGNEWS_BENCH_DATA", REPO_ROOT / ".." / "shared" / "data" / "ag_news"))


def noisy_copy(source: Path, target: Path, noise: float, seed: int, class_noise: bool = False) -> np.ndarray:
    """Copy source to target with noise of its train labels moved to another class; the flipped positions.
    class_noise: only Business (2) and Sci/Tech (3) rows, each flipped to the other."""
    shutil.copytree(source, target)
    for path in [target, *target.iterdir()]:  # the shared copy is read-only; the scratch copy must not be
        path.chmod(0o755 if path.is_dir() else 0o644)
    train_file = sorted(target.glob("train*.parquet"))[0]
    train = pd.read_parquet(train_file)
    rng = np.random.default_rng(seed)
    labels = train["label"].to_numpy(dtype="int64").copy()
    if class_noise:
        pool = np.flatnonzero(np.isin(labels, (2, 3)))
        flipped = np.sort(rng.choice(pool, size=round(noise * len(pool)), replace=False))
        labels[flipped] = 5 - labels[flipped]  # 2 <-> 3
    else:
        flipped = np.sort(rng.choice(len(train), size=round(noise * len(train)), replace=False))
        labels[flipped] = (labels[flipped] + rng.integers(1, 4, size=len(flipped))) % 4  # never the same class
    train.assign(label=labels).to_parquet(train_file, index=False)
    return flipped


def precision_recall(flagged: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Precision and recall of a boolean flag vector against a boolean truth vector."""
    hits = int((flagged & truth).sum())
    return (hits / flagged.sum() if flagged.sum() else 0.0), hits / truth.sum()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", type=float, default=0.05, help="fraction of train labels to flip")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1, help="folds fitted in parallel (the app uses 1)")
    parser.add_argument("--class-noise", action="store_true", help="flip Business <-> Sci/Tech only")
    parser.add_argument("--methods", default="tfidf,embeddings,combined",
                        help="ways to score training rows out of sample, compared on the same flips")
    parser.add_argument("--sweep", action="store_true",
                        help="also train a default sweep with and without the true fixes applied")
    parser.add_argument("--lrs", default="", help="learning rates of those sweeps (default: the sweep default)")
    parser.add_argument("--sweep-args", default="", help="more sweep flags, e.g. '--model tiny --train-size 400'")
    args = parser.parse_args(argv)
    if not DATA_DIR.is_dir():
        print(f"no AG News folder at {DATA_DIR}; set AGNEWS_BENCH_DATA", file=sys.stderr)
        return 2

    from agnews_core.data.sources import load_source
    from agnews_core.modeling.sentence_embeddings import embed_texts
    from agnews_core.review.suspects import (
        TrainRanking,
        cross_validated_probabilities,
        embedding_probabilities,
        rank_label_issues,
    )

    methods = [TrainRanking(m.strip()) for m in args.methods.split(",") if m.strip()]
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "ag_news"
        flipped = noisy_copy(DATA_DIR, copy, args.noise, args.seed, args.class_noise)
        train = load_source(str(copy)).train
        if len(train) != len(pd.read_parquet(sorted(copy.glob("train*.parquet"))[0])):
            raise SystemExit("the loader dropped rows: flipped positions no longer line up")
        labels = train["label"].to_numpy()
        seconds: dict[str, float] = {}
        probabilities: dict[TrainRanking, np.ndarray] = {}
        if {TrainRanking.TFIDF, TrainRanking.COMBINED} & set(methods):
            seconds["TF-IDF cross-validation"], probabilities[TrainRanking.TFIDF] = timed(
                lambda: cross_validated_probabilities(train["text"], labels, seed=args.seed, folds=args.folds,
                                                      n_jobs=args.jobs, width=4))
        if {TrainRanking.EMBEDDINGS, TrainRanking.COMBINED} & set(methods):
            seconds["MiniLM embeddings"], vectors = timed(lambda: embed_texts(train["text"].tolist()))
            seconds["embedding cross-validation"], probabilities[TrainRanking.EMBEDDINGS] = timed(
                lambda: embedding_probabilities(vectors, labels, seed=args.seed, folds=args.folds, width=4))
        if TrainRanking.COMBINED in methods:
            probabilities[TrainRanking.COMBINED] = (probabilities[TrainRanking.TFIDF]
                                                    + probabilities[TrainRanking.EMBEDDINGS]) / 2
        frame = pd.DataFrame({"split": "train", "text": train["text"], "label": labels})
        issues = {}
        for method in methods:
            seconds[f"cleanlab ({method})"], issues[method] = timed(
                lambda method=method: rank_label_issues(frame, probabilities[method]))
        fixes = _sweeps_with_and_without_fixes(copy, train, flipped, args.lrs, args.sweep_args) if args.sweep else None

    truth = np.zeros(len(train), dtype=bool)
    truth[flipped] = True
    table, results = [], {}
    for method in methods:
        rows = issues[method].rows.sort_values("position")
        flags = rows["suspected"].to_numpy()
        table.append((f"{method}: cleanlab flags (prune_by_noise_rate)", int(flags.sum()), *precision_recall(flags, truth)))
        by_rank = rows["rank"].to_numpy()
        for share in (0.03, 0.04, 0.05, 0.06, 0.08, 0.15):
            k = round(share * len(train))
            table.append((f"{method}: top {share:.0%} by label quality", k, *precision_recall(by_rank <= k, truth)))
        top = round(0.04 * len(train))
        precision, recall = precision_recall(by_rank <= top, truth)
        results[str(method)] = {"top4_precision": round(precision, 4), "top4_recall": round(recall, 4)}
    kind = "Business <-> Sci/Tech" if args.class_noise else "any class"
    print_table(f"{len(train):,} train rows, {len(flipped):,} flipped ({args.noise:.0%}, {kind}, seed {args.seed})",
                ["flagged by", "rows", "precision", "recall"], table)
    print("\nseconds: " + ", ".join(f"{name} {value:.1f}" for name, value in seconds.items()))
    emit_json("label_noise", rows=len(train), flipped=len(flipped), noise=args.noise, class_noise=args.class_noise,
              folds=args.folds, jobs=args.jobs, methods=results, seconds={k: round(v, 1) for k, v in seconds.items()},
              target="top 4 % precision >= 0.90 at recall >= 0.70 (5 % noise)", sweeps=fixes)
    return 0


def _sweeps_with_and_without_fixes(copy: Path, train: pd.DataFrame, flipped: np.ndarray, lrs: str,
                                   extra: str) -> list[dict]:
    """Two default sweeps on the noisy copy, verdicts ignored and the true fixes applied: their best test accuracy."""
    from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore
    from agnews_core.store.artifact_store import ArtifactStore

    root = copy.parent / "artifacts"
    original = pd.read_parquet(sorted(DATA_DIR.glob("train*.parquet"))[0])["label"].to_numpy()
    fixes = [Verdict(text=train["text"].iloc[i], label=int(train["label"].iloc[i]), kind=VerdictKind.RELABEL,
                     new_label=int(original[i]), note="bench.label_noise: the true label") for i in flipped]
    VerdictStore(root, str(copy)).record_all(fixes)
    results, rows = [], []
    for corrections in ("ignore", "apply"):
        command = [sys.executable, "-m", "agnews_core", "sweep", "--data", str(copy), "--corrections", corrections,
                   "--artifacts", str(root), "--keep-models", "none", *(["--lrs", lrs] if lrs else []), *shlex.split(extra)]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"the sweep with corrections {corrections} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        store = ArtifactStore(root)
        sweep = store.list_sweeps()[0][0]  # newest first
        best = next(r for r in store.load_runs(sweep)[0] if r.run_id == sweep.best_run_id)
        applied = sweep.corrections.describe() if sweep.corrections else "verdicts ignored"
        rows.append((corrections, best.lr_label, best.test.accuracy, best.test.count, applied, wall))
        results.append({"corrections": corrections, "best_lr": best.learning_rate, "test_accuracy": best.test.accuracy,
                        "test_rows": best.test.count, "applied": applied, "wall_seconds": round(wall, 1)})
    print_table(f"default sweep on the noisy copy ({len(fixes):,} true fixes recorded as verdicts)",
                ["corrections", "best lr", "test accuracy (clean official split)", "test rows", "sweep record", "wall s"],
                rows)
    return results


if __name__ == "__main__":
    sys.exit(main())
