"""Verdicts to and from CSV: every bad row reported at once, and nothing imported unless all rows are good.

A file holds every reviewer's verdicts; an imported row replaces only its own reviewer's verdict on its text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from agnews_core.access.identity import LOCAL_USER, Identity
from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore, attributed
from agnews_core.text_keys import text_key

CSV_COLUMNS: tuple[str, ...] = ("text_key", "text", "label", "kind", "new_label", "note", "reviewer", "recorded_at")
REQUIRED_COLUMNS: tuple[str, ...] = ("text", "label", "kind")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): export prefixes "'"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_MESSAGES = 50  # beyond this a list of messages stops helping; the count of the rest is still given


class VerdictImportError(ValueError):
    """A CSV that cannot be imported; messages holds one clear sentence per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        shown = messages[:MAX_MESSAGES]
        more = f"\n... and {len(messages) - MAX_MESSAGES} more" if len(messages) > MAX_MESSAGES else ""
        super().__init__("nothing was imported:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class ImportResult:
    """What an import stored."""

    imported: int
    replaced: int  # of those, (text, reviewer) pairs that already had a verdict (the imported one now wins)


def export_csv(verdicts: Iterable[Verdict], labels: LabelSet = AG_NEWS) -> str:
    """Verdicts (every reviewer's) as CSV text with the data set's label names, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for v in sorted(verdicts, key=lambda v: v.recorded_at):
        new_label = _name(labels, v.new_label) if v.new_label is not None else ""
        writer.writerow([v.text_key, _escape(v.text), _name(labels, v.label), str(v.kind), new_label, _escape(v.note),
                         _escape(v.reviewer), v.recorded_at])
    return out.getvalue()


def _escape(cell: str) -> str:
    """cell safe to open in a spreadsheet; _unescape undoes it exactly (a leading quote is escaped too)."""
    return f"'{cell}" if cell.startswith((*FORMULA_STARTS, "'")) else cell


def _unescape(cell: str) -> str:
    """The original of an _escape'd cell; hand-written cells without the marker pass through."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith((*FORMULA_STARTS, "'")) else cell


def _name(labels: LabelSet, label_id: int) -> str:
    """A label's name; an id outside the set (a verdict recorded under other labels) as its number."""
    return labels.name(label_id) if label_id in labels else str(label_id)


def _label(value: str, labels: LabelSet) -> int | None:
    """A label given by name (exact, else any case) or id; None when it is neither."""
    value = value.strip()
    if value in labels.label2id:
        return labels.label2id[value]
    by_name = {name.lower(): i for name, i in labels.label2id.items()}
    if value.lower() in by_name:
        return by_name[value.lower()]
    return int(value) if value.isdigit() and int(value) < labels.size else None


def parse_verdicts_csv(text: str, data: pd.DataFrame, labels: LabelSet = AG_NEWS) -> list[Verdict]:
    """The verdicts in CSV text about rows of data (text, label ids of `labels`); VerdictImportError lists
    every problem."""
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise VerdictImportError([f"the file is not a readable CSV ({exc})"]) from None
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)} (a verdicts CSV has {', '.join(CSV_COLUMNS)})")
    unknown = [str(c) for c in table.columns if c not in CSV_COLUMNS]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (allowed: {', '.join(CSV_COLUMNS)})")
    if problems:
        raise VerdictImportError(problems)
    if table.empty:
        raise VerdictImportError(["the file has a header but no verdicts"])
    gold: dict[str, set[int]] = {}
    for key, label in zip((text_key(t) for t in data["text"]), data["label"].astype(int), strict=True):
        gold.setdefault(key, set()).add(int(label))
    verdicts = []
    for number, row in enumerate(table.to_dict("records"), start=2):  # line 1 is the header
        row = {name: _unescape(str(value)) for name, value in row.items()}
        verdict, row_problems = _row_verdict(row, gold, labels)
        problems += [f"line {number}: {p}" for p in row_problems]
        if verdict is not None:
            verdicts.append(verdict)
    if problems:
        raise VerdictImportError(problems)
    return verdicts


def _row_verdict(row: dict[str, str], gold: dict[str, set[int]], labels: LabelSet
                 ) -> tuple[Verdict | None, list[str]]:
    """The verdict one CSV row describes, or the problems that stop it."""
    problems = []
    names = ", ".join(labels.names[:20]) + (f" … ({labels.size} labels)" if labels.size > 20 else "")
    text = row["text"]
    key = text_key(text)
    if not text.strip():
        problems.append("empty text")
    elif key not in gold:
        problems.append(f"text not in the data: {text[:60]!r}")
    elif row.get("text_key", "").strip() and row["text_key"].strip() != key:
        problems.append(f"text_key {row['text_key']!r} does not match the text (expected {key!r})")
    label = _label(row["label"], labels)
    if label is None:
        problems.append(f"unknown label {row['label']!r} (allowed: {names})")
    elif key in gold and label not in gold[key]:
        problems.append(f"gold label {_name(labels, label)} does not match the data's "
                        f"{', '.join(_name(labels, g) for g in sorted(gold[key]))}")
    kind = row["kind"].strip().lower()
    if kind not in set(VerdictKind):
        problems.append(f"unknown kind {row['kind']!r} (allowed: {', '.join(VerdictKind)})")
    new_raw = row.get("new_label", "").strip()
    new_label = _label(new_raw, labels) if new_raw else None
    if new_raw and new_label is None:
        problems.append(f"unknown new_label {new_raw!r} (allowed: {names})")
    elif kind == VerdictKind.RELABEL and new_label is None:
        problems.append("a relabel verdict needs a new_label")
    elif kind == VerdictKind.RELABEL and new_label == label:
        problems.append(f"new_label is the gold label ({new_raw}): use kind 'keep'")
    elif kind in (VerdictKind.REMOVE, VerdictKind.KEEP) and new_label is not None:
        problems.append(f"only relabel verdicts have a new_label; this {kind} has {new_raw!r}")
    recorded_at = row.get("recorded_at", "").strip()
    if recorded_at:
        try:
            datetime.fromisoformat(recorded_at)
        except ValueError:
            problems.append(f"recorded_at {recorded_at!r} is not an ISO date-time like 2026-11-26T23:00:00+00:00")
    if problems or label is None:
        return None, problems
    extra = {"recorded_at": recorded_at} if recorded_at else {}
    verdict = Verdict(text=text, label=label, kind=VerdictKind(kind), new_label=new_label,
                      note=row.get("note", ""), reviewer=row.get("reviewer", ""), **extra)
    return verdict, []


def import_csv(store: VerdictStore, text: str, data: pd.DataFrame, labels: LabelSet = AG_NEWS,
               actor: Identity = LOCAL_USER) -> ImportResult:
    """Check every row of a verdicts CSV against data, then store all of them in one atomic write as actor gives
    them (a signed-in reviewer's rows carry their identity); each adds or replaces its reviewer's verdict."""
    verdicts = [attributed(v, actor) for v in parse_verdicts_csv(text, data, labels)]
    existing = {(v.text_key, v.reviewer) for v in store.list()}
    replaced = len({(v.text_key, v.reviewer) for v in verdicts} & existing)
    store.record_all(verdicts, actor)
    return ImportResult(imported=len(verdicts), replaced=replaced)
