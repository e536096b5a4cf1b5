"""A data set's report as text lines for `data add` and `data show`: classes, text lengths, problems, manifest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agnews_core.data.health import TEST, TRAIN, LengthSummary, Problem, ProblemKind
from agnews_core.data.registry import DatasetManifest

CLASSES_SHOWN = 15  # past this the largest classes are shown and the rest counted, as on the Data page
EXAMPLES_SHOWN = 3
NAMES_IN_SUMMARY = 8
TEXT_SHOWN = 80


def label_summary(names: Sequence[str], limit: int = NAMES_IN_SUMMARY) -> str:
    """'billing, feature request, outage', or the first `limit` names and '… N more'."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, … {len(names) - limit} more"


def class_lines(class_rows: Mapping[str, Mapping[str, int]], label_names: Sequence[str]) -> list[str]:
    """One line per class with its train and test rows, largest first; past CLASSES_SHOWN the rest are counted."""
    train, test = class_rows.get(TRAIN, {}), class_rows.get(TEST, {})
    names = list(dict.fromkeys([*label_names, *train, *test]))  # label order breaks ties
    ordered = sorted(names, key=lambda n: -(train.get(n, 0) + test.get(n, 0)))
    shown = ordered[:CLASSES_SHOWN]
    width = min(40, max([len("class"), *(len(n) for n in shown)]))
    lines = [f"Classes ({len(names)}):", f"  {'class':<{width}}  {'train':>7}  {'test':>7}"]
    lines += [f"  {_cut(n, width):<{width}}  {train.get(n, 0):>7,}  {test.get(n, 0):>7,}" for n in shown]
    if len(ordered) > CLASSES_SHOWN:
        lines.append(f"  … {len(ordered) - CLASSES_SHOWN} more")
    return lines


def length_line(summary: LengthSummary) -> str:
    """'Text length in words (150 rows): mean 9.9, median 10, 95th percentile 12, longest 14'."""
    if not summary.measured_rows:
        return f"Text length in {summary.unit}: no rows"
    return (f"Text length in {summary.unit} ({summary.measured_rows:,} rows): mean {summary.mean:.1f}, "
            f"median {summary.p50:g}, 95th percentile {summary.p95:g}, longest {summary.maximum:,}")


def problem_lines(problems: Sequence[Mapping[str, Any]]) -> list[str]:
    """Problems found (as HealthReport.to_dict() or a stored report lists them): title, count, why, examples."""
    found = [p for p in problems if int(p.get("count", 0))]
    if not found:
        return ["Problems: none found"]
    lines = ["Problems:"]
    for problem in found:
        kind = ProblemKind(str(problem["kind"]))
        known = Problem(kind, int(problem["count"]))
        lines.append(f"  {known.title}: {known.count:,}{' (droppable)' if known.droppable else ''}")
        lines.append(f"    {known.explanation}")
        examples = list(problem.get("examples") or [])
        lines += [f"    - {example_text(e)}" for e in examples[:EXAMPLES_SHOWN]]
    return lines


def example_text(example: Mapping[str, object]) -> str:
    """One problem example on a line: where it is, its text and its label(s)."""
    if "row" in example and "split" in example:
        label = example.get("label")
        return f"{example['split']} row {example['row']}: {_quoted(example.get('text'))} (label {label or 'none'})"
    if "labels" in example:
        return f"{example.get('rows', '')}: {_quoted(example.get('text'))} labelled {example['labels']}"
    if "train rows" in example:
        return f"{example.get('label')}: {example['train rows']} train rows"
    return ", ".join(f"{key} {value}" for key, value in example.items())


def dropped_text(dropped: Mapping[str, int]) -> str:
    """'2 empty or blank texts, 1 missing labels'; 'nothing' when no row was dropped."""
    parts = [f"{count:,} {Problem(ProblemKind(kind), count).title.lower()}" for kind, count in dropped.items() if count]
    return ", ".join(parts) or "nothing"


def manifest_lines(manifest: DatasetManifest) -> list[str]:
    """Where the rows came from and how they were chosen."""
    return [
        "Manifest:",
        f"  Source files: {', '.join(manifest.source_files)}",
        f"  sha256: {manifest.sha256}",
        f"  Created: {manifest.created}",
        f"  Columns: {manifest.columns.describe()}",
        f"  Test rows from: {manifest.test_rows_from}",
        f"  Dropped at registration: {dropped_text(manifest.dropped)}",
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _quoted(text: object) -> str:
    value = "" if text is None else str(text)
    return repr(_cut(value, TEXT_SHOWN))
