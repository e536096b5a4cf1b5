"""Planted label noise found by the fast ranking vs a cross-fit of the run's own model, on the same training rows.

    python -m bench.crossfit_noise [--pool 5000] [--train-size 4000] [--eval-size 500] [--test-size 500]
        [--noise 0.05] [--class-noise] [--seed 0] [--model minilm] [--lr 2e-4] [--folds 2]

A stratified `--pool` of the shared AG News train rows (../shared/data/ag_news beside the repo root;
AGNEWS_BENCH_DATA overrides) is copied to a temporary folder with `--noise` of its labels flipped (bench.label_noise's
flips; --class-noise: Business <-> Sci/Tech only). One run of `--model` at `--lr` is trained on `--train-size` of
those rows, as a sweep does; its training rows are then ranked (a) fast: TF-IDF and frozen MiniLM embeddings,
5-fold cross-validated and averaged, as the Errors page does; (b) by a `--folds` cross-fit of that run
(agnews_core.sweeps.crossfit); (c) by the average of (a) and (b). Precision and recall of the top k against the
flipped rows, and each step's seconds, are printed; then, to see why a ranking works or not, each method's mean
probability of the given label on flipped and on clean rows and how often its top class is the true one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import REPO_ROOT, emit_json, print_table, timed
from bench.label_noise import noisy_copy, precision_recall

DATA_DIR = Path(os.environ.get("AGNEWS_BENCH_DATA", REPO_ROOT / ".." / "shared" / "data" / "ag_news"))
SHARES = (0.03, 0.04, 0.05, 0.08)


def pool_folder(target: Path, pool: int, test_rows: int, seed: int) -> None:
    """A folder with a stratified `pool` of the shared train rows and `test_rows` test rows."""
    from sklearn.model_selection import train_test_split

    target.mkdir(parents=True)
    train = pd.read_parquet(sorted(DATA_DIR.glob("train*.parquet"))[0])
    taken, _ = train_test_split(train, train_size=pool, random_state=seed, stratify=train["label"])
    taken.reset_index(drop=True).to_parquet(target / "train.parquet", index=False)
    pd.read_parquet(DATA_DIR / "test.parquet").sample(test_rows, random_state=seed).to_parquet(
        target / "test.parquet", index=False)


def how_sure(probabilities: np.ndarray, given: np.ndarray, true: np.ndarray,
             flipped: np.ndarray) -> tuple[float, float, float, float]:
    """Mean p(given label) on flipped and clean rows; share of flipped rows and of all rows whose top class is true."""
    p_given = probabilities[np.arange(len(given)), given]
    right = probabilities.argmax(axis=1) == true
    return (round(float(p_given[flipped].mean()), 3), round(float(p_given[~flipped].mean()), 3),
            round(float(right[flipped].mean()), 3), round(float(right.mean()), 3))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=5000)
    parser.add_argument("--train-size", type=int, default=4000)
    parser.add_argument("--eval-size", type=int, default=500)
    parser.add_argument("--test-size", type=int, default=500)
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--class-noise", action="store_true", help="flip Business <-> Sci/Tech only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--save", default="", metavar="NPZ",
                        help="also save each method's probabilities, the given and true labels (to try other scores)")
    args = parser.parse_args(argv)

    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.review.crossfit_suspects import load_crossfit
    from agnews_core.review.label_review import training_rows
    from agnews_core.review.suspects import TrainRanking, rank_label_issues, train_probabilities
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.sweeps.crossfit import plan_crossfit, run_crossfit
    from agnews_core.sweeps.runner import run_sweep

    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        clean, noisy = Path(scratch) / "clean", Path(scratch) / "noisy"
        pool_folder(clean, args.pool, args.test_size, args.seed)
        flipped = noisy_copy(clean, noisy, args.noise, args.seed, args.class_noise)
        flipped_texts = set(pd.read_parquet(noisy / "train.parquet")["text"].iloc[flipped])
        pool = pd.read_parquet(clean / "train.parquet")
        true_label = dict(zip(pool["text"], pool["label"], strict=True))
        store = ArtifactStore(Path(scratch) / "artifacts")
        config = SweepConfig(data=str(noisy), model=args.model, learning_rates=(args.lr,), train_size=args.train_size,
                             eval_size=args.eval_size, test_size=args.test_size, keep_models="none", seed=args.seed)
        seconds["the run itself"], sweep = timed(lambda: run_sweep(store, config))
        if not sweep.status.succeeded:
            raise SystemExit(f"the run failed: {sweep.error}")
        train = training_rows(sweep, store.root)
        labels = train["label"].to_numpy()
        seconds["fast ranking (TF-IDF + MiniLM embeddings, 5-fold CV)"], (fast, used) = timed(
            lambda: train_probabilities(train["text"], labels, args.seed, sweep.labels.size, TrainRanking.COMBINED))
        plan = plan_crossfit(store, sweep.sweep_id, folds=args.folds)
        seconds[f"cross-fit ({args.folds} folds)"], done = timed(lambda: run_crossfit(store, plan.config))
        merged = load_crossfit(store, sweep.sweep_id, plan.run_id)
        if merged is None or merged["text"].tolist() != train["text"].tolist():
            raise SystemExit(f"the cross-fit left no usable file: {done.status} {done.error}")
        crossfit = merged[[f"p_{n}" for n in sweep.labels.names]].to_numpy(dtype="float64")
        run = store.load_run(sweep.sweep_id, sweep.best_run_id)

    truth = train["text"].isin(flipped_texts).to_numpy()
    frame = pd.DataFrame({"split": "train", "text": train["text"], "label": labels})
    methods = {f"fast ({used})": fast, f"cross-fit ({args.folds} folds, {args.model})": crossfit,
               "average of the two": (fast + crossfit) / 2}
    table, results = [], {}
    for name, probabilities in methods.items():
        rank = rank_label_issues(frame, probabilities).rows.sort_values("position")["rank"].to_numpy()
        results[name] = {}
        for share in SHARES:
            k = round(share * len(train))
            precision, recall = precision_recall(rank <= k, truth)
            table.append((name, f"top {share:.0%}", k, precision, recall))
            results[name][f"top{share * 100:g}"] = [round(precision, 4), round(recall, 4)]
    kind = "Business <-> Sci/Tech" if args.class_noise else "any class"
    print_table(f"{len(train):,} training rows of the run, {int(truth.sum()):,} of them flipped ({args.noise:.0%} "
                f"of a {args.pool:,}-row pool, {kind}, seed {args.seed}); run test accuracy "
                f"{run.test.accuracy:.4f} on {run.test.count:,} clean test rows",
                ["ranked by", "cut", "rows", "precision", "recall"], table)
    true = train["text"].map(true_label).to_numpy(dtype="int64")
    if args.save:
        np.savez(args.save, fast=fast, crossfit=crossfit, given=labels, true=true)
    diagnosis = [(name, *how_sure(probabilities, labels, true, truth)) for name, probabilities in methods.items()]
    print_table("How sure each method is of the given label, and whether its top class is the true one",
                ["ranked by", "mean p(given label), flipped rows", "mean p(given label), clean rows",
                 "top class = true label, flipped rows", "top class = true label, all rows"], diagnosis)
    print("\nseconds: " + ", ".join(f"{name} {value:.1f}" for name, value in seconds.items()))
    emit_json("crossfit_noise", rows=len(train), flipped=int(truth.sum()), noise=args.noise,
              class_noise=args.class_noise, model=args.model, lr=args.lr, folds=args.folds, methods=results,
              diagnosis={row[0]: row[1:] for row in diagnosis},
              seconds={k: round(v, 1) for k, v in seconds.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
