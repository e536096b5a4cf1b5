"""Which score ranks flipped labels first? Self-confidence (the app's) vs a noise-aware posterior, on saved runs.

    python -m bench.ranking_scores FILE.npz [FILE.npz ...]

Each FILE is what `python -m bench.crossfit_noise ... --save FILE.npz` saved: the fast ranking's and the cross-fit's
out-of-sample probabilities of the same training rows, their given (noisy) and true labels. For each method (fast,
cross-fit, their average) and score, the precision / recall of the top 3, 4, 5 and 8 % against the flipped rows:
- self-confidence: p(given label), cleanlab's label quality, what the app ranks by;
- noise-aware posterior: the chance the given label is right once the estimated noise between classes is taken
  into account, P(true = given | given, x) proportional to P(true = j | given) ** alpha * p(j | x), with P(true | given)
  from cleanlab's confident joint (alpha 1 and 0.5).
"""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

from bench.common import emit_json, print_table

SHARES = (0.03, 0.04, 0.05, 0.08)


def self_confidence(given: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """p(given label) per row."""
    return probabilities[np.arange(len(given)), given]


def noise_aware_posterior(given: np.ndarray, probabilities: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """P(true label = given label) per row, with the estimated class-to-class noise (to the power alpha) as prior."""
    from cleanlab.count import estimate_joint

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        joint = estimate_joint(given, probabilities)  # P(given = i, true = j)
    prior = (joint / joint.sum(axis=1, keepdims=True)) ** alpha
    posterior = prior[given] * probabilities
    posterior /= posterior.sum(axis=1, keepdims=True)
    return posterior[np.arange(len(given)), given]


def top_share(score: np.ndarray, flipped: np.ndarray, share: float) -> tuple[float, float]:
    """Precision and recall of the `share` of rows with the lowest score."""
    top = np.argsort(score, kind="stable")[:round(share * len(score))]
    return float(flipped[top].mean()), float(flipped[top].sum() / flipped.sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="npz files saved by bench.crossfit_noise --save")
    args = parser.parse_args(argv)
    results = {}
    for path in args.files:
        saved = np.load(path)
        given, true = saved["given"], saved["true"]
        flipped = given != true
        methods = {"fast": saved["fast"], "cross-fit": saved["crossfit"],
                   "average": (saved["fast"] + saved["crossfit"]) / 2}
        scores = {"self-confidence (the app's)": self_confidence,
                  "noise-aware posterior": noise_aware_posterior,
                  "noise-aware, alpha 0.5": lambda g, p: noise_aware_posterior(g, p, 0.5)}
        rows, results[path] = [], {}
        for method, probabilities in methods.items():
            for score_name, score in scores.items():
                cells = [top_share(score(given, probabilities), flipped, share) for share in SHARES]
                rows.append((method, score_name, *(f"{p:.3f} / {r:.3f}" for p, r in cells)))
                results[path][f"{method}, {score_name}"] = [[round(p, 4), round(r, 4)] for p, r in cells]
        print_table(f"{path}: {len(given):,} rows, {int(flipped.sum()):,} flipped (precision / recall)",
                    ["probabilities", "score", *(f"top {s:.0%}" for s in SHARES)], rows)
        print()
    emit_json("ranking_scores", shares=list(SHARES), results=results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
