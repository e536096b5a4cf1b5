"""Does the review loop help? Sweeps with and without a simulated reviewer's verdicts on the top suspects.

    python -m bench.review_loop [--pool 6500] [--train-size 6000] [--eval-size 500] [--test-size 7600]
        [--noise 0.15] [--any-class] [--review 0.08] [--seeds 0 1 2] [--model minilm] [--lr 2e-4] [--clean]

For each seed: a stratified `--pool` of the shared AG News train rows (../shared/data/ag_news beside the repo root;
AGNEWS_BENCH_DATA overrides) gets `--noise` of its labels flipped (Business <-> Sci/Tech by default, as
bench.label_noise flips them; --any-class: any class). One run of `--model` at `--lr` trains on `--train-size` of
them with verdicts ignored. Its training rows are ranked as the Errors page ranks them (TF-IDF and MiniLM
embeddings, cross-validated); a simulated reviewer who knows the true labels checks the top `--review` share and
records a verdict on each through the verdict store (relabel when the label was flipped, keep when it was right).
The same run is then trained again with corrections applied. Both are scored on the same clean official test rows.
Printed: each seed's two accuracies, their means with a 95 % t-interval over the seeds, and the paired gain.
--clean: a third run per seed on the same pool with its true labels, the most any review could give.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import emit_json, print_table, timed
from bench.crossfit_noise import pool_folder
from bench.label_noise import noisy_copy

REVIEWER = "simulated reviewer (knows the true label)"


def t_interval(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95 % t-interval (0 for a single value)."""
    from scipy import stats

    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, 0.0
    return mean, float(stats.t.ppf(0.975, len(values) - 1) * stats.sem(values))


def simulated_verdicts(suspects: pd.DataFrame, truth: dict[str, int]) -> list:
    """The verdict a reviewer who knows each row's true label gives on each suspect (text, label)."""
    from agnews_core.review.verdicts import Verdict, VerdictKind

    verdicts = []
    for text, label in zip(suspects["text"], suspects["label"], strict=True):
        right = truth[text]
        kind = VerdictKind.KEEP if right == int(label) else VerdictKind.RELABEL
        verdicts.append(Verdict(text=text, label=int(label), kind=kind, reviewer=REVIEWER,
                                new_label=None if kind is VerdictKind.KEEP else right,
                                note="bench.review_loop"))
    return verdicts


def one_seed(args: argparse.Namespace, seed: int, scratch: Path) -> dict:
    """Pool, noise, the run as is, the review of its top suspects, the run with corrections: one seed's figures."""
    from agnews_core.config.sweep_config import Corrections, SweepConfig
    from agnews_core.review.label_review import training_rows
    from agnews_core.review.suspects import TrainRanking, rank_label_issues, train_probabilities
    from agnews_core.review.verdicts import VerdictStore
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.sweeps.runner import run_sweep

    clean, noisy = scratch / f"clean-{seed}", scratch / f"noisy-{seed}"
    pool_folder(clean, args.pool, args.test_size, seed)
    flipped = noisy_copy(clean, noisy, args.noise, seed, class_noise=not args.any_class)
    true_labels = pd.read_parquet(sorted(clean.glob("train*.parquet"))[0])["label"]
    noisy_texts = pd.read_parquet(sorted(noisy.glob("train*.parquet"))[0])["text"]
    truth = dict(zip(noisy_texts, true_labels.astype(int), strict=True))
    store = ArtifactStore(scratch / f"artifacts-{seed}")
    config = SweepConfig(data=str(noisy), model=args.model, learning_rates=(args.lr,), train_size=args.train_size,
                         eval_size=args.eval_size, test_size=args.test_size, keep_models="none", seed=seed)
    seconds: dict[str, float] = {}
    seconds["run, verdicts ignored"], plain = timed(lambda: run_sweep(store, config))
    if not plain.status.succeeded:
        raise SystemExit(f"seed {seed}: the run failed: {plain.error}")
    train = training_rows(plain, store.root)
    labels = train["label"].to_numpy()
    seconds["ranking (the Errors page's)"], (probabilities, used) = timed(
        lambda: train_probabilities(train["text"], labels, seed, plain.labels.size, TrainRanking.COMBINED))
    ranked = rank_label_issues(pd.DataFrame({"split": "train", "text": train["text"], "label": labels}),
                               probabilities).rows.sort_values("rank")
    reviewed = ranked.head(round(args.review * len(train)))
    verdicts = simulated_verdicts(reviewed, truth)
    VerdictStore(store.root, str(noisy)).record_all(verdicts)
    wrong_in_train = int(sum(truth[t] != int(y) for t, y in zip(train["text"], labels, strict=True)))
    relabels = sum(v.kind == "relabel" for v in verdicts)
    seconds["run, corrections applied"], fixed = timed(
        lambda: run_sweep(store, replace(config, corrections=Corrections.APPLY)))
    if not fixed.status.succeeded:
        raise SystemExit(f"seed {seed}: the corrected run failed: {fixed.error}")
    finished = {"ignored": plain, "applied": fixed}
    if args.clean:
        seconds["run, true labels"], finished["clean"] = timed(lambda: run_sweep(store, replace(config, data=str(clean))))
        if not finished["clean"].status.succeeded:
            raise SystemExit(f"seed {seed}: the run on true labels failed: {finished['clean'].error}")
    accuracy = {name: store.load_run(sweep.sweep_id, sweep.best_run_id).test for name, sweep in finished.items()}
    return {"seed": seed, "train_rows": len(train), "flipped_in_pool": len(flipped), "wrong_in_train": wrong_in_train,
            "reviewed": len(verdicts), "relabelled": relabels, "ranked_by": str(used),
            "applied": fixed.corrections.describe() if fixed.corrections else "",
            "accuracy_ignored": accuracy["ignored"].accuracy, "accuracy_applied": accuracy["applied"].accuracy,
            "accuracy_clean": accuracy["clean"].accuracy if "clean" in accuracy else None,
            "test_rows": accuracy["applied"].count, "seconds": {k: round(v, 1) for k, v in seconds.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=6500)
    parser.add_argument("--train-size", type=int, default=6000)
    parser.add_argument("--eval-size", type=int, default=500)
    parser.add_argument("--test-size", type=int, default=7600, help="official test rows (7,600: all of them)")
    parser.add_argument("--noise", type=float, default=0.15)
    parser.add_argument("--any-class", action="store_true", help="flip any class, not Business <-> Sci/Tech")
    parser.add_argument("--review", type=float, default=0.08, help="share of the training rows the reviewer checks")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--clean", action="store_true", help="also train on the pool's true labels (the ceiling)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        results = [one_seed(args, seed, Path(scratch)) for seed in args.seeds]

    kind = "any-class" if args.any_class else "Business <-> Sci/Tech"
    print_table(f"{args.model} at lr {args.lr:g}, {args.noise:.0%} {kind} noise, the reviewer checks the top "
                f"{args.review:.0%} of suspects",
                ["seed", "train rows", "wrong labels in them", "reviewed", "relabelled", "accuracy, ignored",
                 "accuracy, applied", "gain (points)", "accuracy, true labels", "test rows"],
                [(r["seed"], r["train_rows"], r["wrong_in_train"], r["reviewed"], r["relabelled"],
                  f"{r['accuracy_ignored']:.4f}", f"{r['accuracy_applied']:.4f}",
                  f"{100 * (r['accuracy_applied'] - r['accuracy_ignored']):+.2f}",
                  "-" if r["accuracy_clean"] is None else f"{r['accuracy_clean']:.4f}", r["test_rows"])
                 for r in results])
    summary = {}
    series = [("ignored", [r["accuracy_ignored"] for r in results]),
              ("applied", [r["accuracy_applied"] for r in results]),
              ("gain", [r["accuracy_applied"] - r["accuracy_ignored"] for r in results])]
    if args.clean:
        series += [("true labels", [r["accuracy_clean"] for r in results]),
                   ("ceiling gain", [r["accuracy_clean"] - r["accuracy_ignored"] for r in results])]
    for name, values in series:
        mean, half = t_interval(values)
        summary[name] = [round(mean, 5), round(half, 5)]
        print(f"{name}: mean {100 * mean:.2f} % +- {100 * half:.2f} (95 % t-interval over {len(values)} seeds)")
    for r in results:
        print(f"seed {r['seed']} seconds: " + ", ".join(f"{k} {v}" for k, v in r["seconds"].items()))
    emit_json("review_loop", model=args.model, lr=args.lr, noise=args.noise, class_noise=not args.any_class,
              review=args.review, pool=args.pool, train_size=args.train_size, seeds=args.seeds, summary=summary,
              runs=results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
