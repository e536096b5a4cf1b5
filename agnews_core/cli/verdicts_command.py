"""`python -m agnews_core verdicts`: a data source's verdicts per reviewer, how far reviewers agree, what each
correction policy would apply, and the rows where reviewers differ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.review.agreement import agreement, reviewer_counts
from agnews_core.review.policies import CorrectionPolicy, resolve_rows
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore, reviewer_name
from agnews_core.store.artifact_store import ArtifactStore

TEXT_WIDTH = 70  # characters of a conflict's text shown on its line


def add_verdicts_parser(commands: argparse._SubParsersAction, artifacts_help: str) -> None:
    """The `verdicts` command and its flags."""
    parser = commands.add_parser("verdicts", help="verdicts per reviewer, agreement among reviewers, and conflicts")
    parser.add_argument("--data", required=True, metavar="NAME",
                        help="whose verdicts: 'sample', 'hub', a registered data set's name or id, or a data folder")
    parser.add_argument("--artifacts", default=None, help=artifacts_help)


def run_verdicts(args: argparse.Namespace, store: ArtifactStore) -> int:
    """Print the verdicts' summary; 0 even when there are none (that is an answer too), 2 for --data auto."""
    if args.data == "auto":
        print("python -m agnews_core verdicts: error: --data auto names no data: give sample, hub, a data set's name "
              "or a folder", file=sys.stderr)
        return 2
    source, labels = _source(args.data, store)
    contents = VerdictStore(store.root, source).read()
    rows = contents.rows
    if contents.unreadable_lines:
        print(f"warning: {contents.unreadable_lines} damaged line(s) of the verdict file were skipped")
    if not rows:
        print(f"No verdicts recorded for {source}: record them on the Errors page or import a CSV there.")
        return 0
    counts = reviewer_counts(rows)
    print(f"Verdicts on {source}: {sum(counts.values()):,} on {len(rows):,} row(s) by {len(counts)} reviewer(s)")
    print("Per reviewer: " + ", ".join(f"{reviewer_name(name)} {count:,}" for name, count in counts.items()))
    result = agreement(rows)
    print(f"Agreement: {result.describe()}")
    applied = {policy: sum(v.kind is not VerdictKind.KEEP for v in resolve_rows(rows, policy).values())
               for policy in CorrectionPolicy}
    print("Rows with a relabel or remove verdict, by --verdict-policy: "
          + ", ".join(f"{policy} {count:,}" for policy, count in applied.items()))
    if result.conflicts:
        print(f"\nConflicts ({len(result.conflicts):,}), newest first:")
        for conflict in result.conflicts:
            text = " ".join(conflict.text.split())
            shown = text if len(text) <= TEXT_WIDTH else text[:TEXT_WIDTH - 1] + "…"
            said = "; ".join(f"{reviewer_name(v.reviewer)}: {verdict_words(v, labels)}" for v in conflict.verdicts)
            print(f"  {shown}\n    gold {_name(conflict.label, labels)} | {said}")
    return 0


def verdict_words(verdict: Verdict, labels: LabelSet) -> str:
    """'relabel -> Sports', 'remove' or 'keep'."""
    if verdict.kind is VerdictKind.RELABEL and verdict.new_label is not None:
        return f"relabel -> {_name(verdict.new_label, labels)}"
    return str(verdict.kind)


def _name(label: int, labels: LabelSet) -> str:
    return labels.name(label) if label in labels else str(label)


def _source(spec: str, store: ArtifactStore) -> tuple[str, LabelSet]:
    """The verdicts' key for a --data value and its label names: a registered data set's verdicts are kept under
    its name (every version shares them); a folder's names come from its rows; AG News names the rest."""
    from agnews_core.data.registry import DatasetRegistry
    from agnews_core.data.sources import load_source

    manifest = DatasetRegistry(store.root).find(spec) if spec not in ("sample", "hub") else None
    if manifest is not None:
        return manifest.name, manifest.labels
    if spec not in ("sample", "hub") and Path(spec).expanduser().is_dir():
        return spec, load_source(spec, store.root).labels
    return spec, AG_NEWS
