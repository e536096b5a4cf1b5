"""`python -m agnews_core data add|list|show|remove`: register a user's own data set and look after it."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import pandas as pd

from agnews_core.cli.data_report import (
    class_lines,
    dropped_text,
    label_summary,
    length_line,
    manifest_lines,
    problem_lines,
)
from agnews_core.data.columns import ColumnMapping, guess_mapping
from agnews_core.data.drafts import DEFAULT_SEED, DEFAULT_TEST_SHARE, DataSetError, Draft, DraftOptions
from agnews_core.data.health import TEST, TRAIN, check_health, text_lengths
from agnews_core.data.readers import ACCEPTED, FORMATS, ReadTable, read_path
from agnews_core.data.registry import DatasetManifest, DatasetRegistry, check_name, slug
from agnews_core.store.artifact_store import ArtifactStore

PROG = "python -m agnews_core data"
SAMPLE = "sample"  # the bundled AG News sample, listed first and never removed


def add_data_parser(commands: argparse._SubParsersAction, artifacts_help: str) -> None:
    """The `data` command and its four subcommands, each with --artifacts."""
    data = commands.add_parser("data", help="register your own data set (a file, a folder or a Hub data set), "
                                             "list, show and remove data sets")
    actions = data.add_subparsers(dest="data_command", required=True, parser_class=type(data))

    add = actions.add_parser("add", help="read, check and register a data set as a new version")
    add.add_argument("path", nargs="?", metavar="PATH",
                     help=f"a file ({ACCEPTED}) or a folder holding one train* and one test* file")
    add.add_argument("--hub", metavar="DATASET_ID", help="a Hugging Face Hub data set instead of PATH")
    add.add_argument("--hub-config", metavar="C", default=None, help="the Hub data set's config, if it has several")
    add.add_argument("--train-split", default="train", help="the Hub split to train on (default train)")
    add.add_argument("--test-split", default="test",
                     help="the Hub split to test on; 'none' draws --test-share of the train split (default test)")
    add.add_argument("--name", metavar="N", help="the data set's name (default: from the file, folder or Hub id)")
    add.add_argument("--text-column", metavar="C[,C2]",
                     help="the text column, or two joined by a space (default: found by name)")
    add.add_argument("--label-column", metavar="C", help="the label column (default: found by name)")
    test = add.add_mutually_exclusive_group()
    test.add_argument("--test", metavar="PATH", help="a file of test rows with the same columns")
    test.add_argument("--test-share", type=float, default=None, metavar="F",
                      help=f"without test rows: the share of rows held out to test, stratified (default "
                           f"{DEFAULT_TEST_SHARE:g})")
    add.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the test share (default {DEFAULT_SEED})")
    add.add_argument("--drop-problems", action="store_true",
                     help="drop blank texts, rows without a label and exact duplicates, then register the rest")
    add.add_argument("--artifacts", default=None, help=artifacts_help)

    listing = actions.add_parser("list", help="every data set: the bundled sample and each registered version")
    listing.add_argument("--artifacts", default=None, help=artifacts_help)

    show = actions.add_parser("show", help="a data set's report: rows, classes, text lengths, problems, manifest")
    show.add_argument("name", metavar="NAME", help="a data set name (its newest version), an id such as tickets-v2, "
                                                    "or sample")
    show.add_argument("--artifacts", default=None, help=artifacts_help)

    remove = actions.add_parser("remove", help="delete a data set version (an id) or every version of a name")
    remove.add_argument("name", metavar="NAME", help="an id such as tickets-v2, or a name (all its versions)")
    remove.add_argument("--force", action="store_true",
                        help="remove even though sweeps use it or verdicts were recorded on it")
    remove.add_argument("--artifacts", default=None, help=artifacts_help)


def run_data(args: argparse.Namespace, store: ArtifactStore) -> int:
    """Run one data subcommand; a data set that cannot be read or registered exits 2 with one line."""
    command = args.data_command
    try:
        if command == "add":
            return _add(args, store)
        if command == "list":
            return _list(store)
        if command == "show":
            return _show(args.name, store)
        return _remove(args.name, args.force, store)
    except ValueError as exc:  # DataSetError, TableReadError, ColumnError, DataError: messages made for the user
        return _fail(command, str(exc))


def _fail(command: str, message: str) -> int:
    print(f"{PROG} {command}: error: {message}", file=sys.stderr)
    return 2


# ---- add

def _add(args: argparse.Namespace, store: ArtifactStore) -> int:
    if (args.path is None) == (args.hub is None):
        return _fail("add", "give a PATH (a file or a folder) or --hub DATASET_ID, not both")
    draft = _hub_draft(args) if args.hub else _file_draft(args)
    drop = args.drop_problems
    if problem := draft.refusal(drop):
        raise DataSetError(f"cannot register {draft.options.name}: {problem}")
    if draft.report.droppable_rows and not drop:
        print(f"Read {', '.join(draft.source_files)}: {_rows_text(draft.report.rows)}, "
              f"{len(draft.label_names)} classes")
        print("\n".join(problem_lines(draft.report.to_dict()["problems"])))
        return _fail("add", f"{draft.report.droppable_rows:,} rows have problems that must be dropped (blank texts, "
                            "missing labels, exact duplicates); nothing was stored: rerun with --drop-problems to "
                            "drop them and register the rest")
    registry = DatasetRegistry(store.root)
    manifest, created = registry.register(draft, drop)
    if not created:
        print(f"Already registered as {manifest.id}")
    else:
        if manifest.dropped:
            print(f"Dropped {sum(manifest.dropped.values()):,} rows: {dropped_text(manifest.dropped)}")
        print(f"Registered {manifest.id}: {_rows_text(manifest.rows)}, {len(manifest.label_names)} classes "
              f"({label_summary(manifest.label_names)})")
        kept = [p for p in (registry.report(manifest) or {}).get("problems", []) if p["count"]]
        if kept:
            found = "; ".join(f"{p['count']:,} {p['title'].lower()}" for p in kept)
            print(f"Kept, worth a look: {found} (python -m agnews_core data show {manifest.id})")
    print(f"Next: {_sweep_hint(registry, manifest, args.artifacts)}")
    return 0


def _file_draft(args: argparse.Namespace) -> Draft:
    from agnews_core.data.drafts import draft_from_tables

    path = Path(args.path).expanduser()
    if path.is_dir():
        if args.test or args.test_share is not None:
            raise DataSetError(f"{path} is a folder: its test* file holds the test rows, so --test and --test-share "
                               "do not apply (pass the train file as PATH to use them)")
        train_path, test_path = _split_file(path, TRAIN), _split_file(path, TEST)
    elif path.is_file():
        train_path, test_path = path, Path(args.test).expanduser() if args.test else None
    else:
        raise DataSetError(f"{path} is neither a file nor a folder")
    name = _name(args.name, path.name)
    train = read_path(train_path)
    test = read_path(test_path) if test_path else None
    options = DraftOptions(name, _mapping(args, train), _test_share(args), args.seed)
    return draft_from_tables(train, test, options)


def _hub_draft(args: argparse.Namespace) -> Draft:
    from agnews_core.data.hub_datasets import HubSource, draft_from_hub

    test_split = None if args.test_split.lower() == "none" else args.test_split
    if args.test:
        raise DataSetError("--test reads a file; for a Hub data set choose its test split with --test-split")
    mapping = None
    if args.text_column or args.label_column:
        if not (args.text_column and args.label_column):
            raise DataSetError("with --hub, give both --text-column and --label-column, or neither to find them "
                               "by name")
        mapping = ColumnMapping(_text_columns(args.text_column), args.label_column)
    source = HubSource(args.hub, args.hub_config, args.train_split, test_split)
    return draft_from_hub(source, _name(args.name, args.hub.rsplit("/", 1)[-1]), mapping,
                          test_share=_test_share(args), seed=args.seed)


def _split_file(folder: Path, split: str) -> Path:
    """The folder's one train* (or test*) file in a readable format."""
    found = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.name.lower().startswith(split) and p.suffix.lower() in FORMATS)
    if not found:
        raise DataSetError(f"{folder} has no {split}* file ({ACCEPTED})")
    if len(found) > 1:
        raise DataSetError(f"{folder} has several {split}* files ({', '.join(p.name for p in found)}): pass the train "
                           "file as PATH and the test file with --test")
    return found[0]


def _name(given: str | None, source: str) -> str:
    name = given if given is not None else slug(source)
    if not name:
        raise DataSetError(f"no data set name can be made from {source!r}: give one with --name")
    return check_name(name)


def _test_share(args: argparse.Namespace) -> float:
    return DEFAULT_TEST_SHARE if args.test_share is None else args.test_share


def _text_columns(typed: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in typed.split(",") if c.strip())


def _mapping(args: argparse.Namespace, train: ReadTable) -> ColumnMapping:
    """The flags' columns, else the ones found by name; DataSetError listing the file's columns when unclear."""
    guessed = guess_mapping([str(c) for c in train.frame.columns])
    text = _text_columns(args.text_column) if args.text_column else guessed.text if guessed else ()
    label = args.label_column or (guessed.label if guessed else "")
    if not text or not label:
        columns = ", ".join(map(str, train.frame.columns))
        raise DataSetError(f"cannot tell which column of {train.file_name} holds the "
                           f"{'text' if not text else 'label'} (its columns: {columns}): pass --text-column COLUMN "
                           "(or two to join: --text-column title,body) and --label-column COLUMN")
    return ColumnMapping(text, label)


def _rows_text(rows: dict[str, int]) -> str:
    return f"{rows.get(TRAIN, 0):,} train / {rows.get(TEST, 0):,} test rows"


def _sweep_hint(registry: DatasetRegistry, manifest: DatasetManifest, artifacts: str | None) -> str:
    """The sweep command for this data set, with row counts lowered to what it has where the defaults ask more."""
    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.data.sources import available_sizes, load_source
    from agnews_core.sweeps.request import SIZE_ROWS

    spec = manifest.name if registry.find(manifest.name) == manifest else manifest.id
    defaults = SweepConfig()
    limits = available_sizes(load_source(manifest.id, registry.folder.parent), defaults.validation_fraction)
    flags = [f"--data {spec}"]
    flags += [f"--{field.replace('_', '-')} {limits[rows]}" for field, rows in SIZE_ROWS.items()
              if getattr(defaults, field) > limits[rows]]
    if artifacts:
        flags.append(f"--artifacts {shlex.quote(artifacts)}")
    return f"python -m agnews_core sweep {' '.join(flags)}"


# ---- list, show, remove

def _list(store: ArtifactStore) -> int:
    from agnews_core.data.sources import load_source

    sample = load_source(SAMPLE)
    table = [("id", "name", "version", "train rows", "test rows", "classes", "created"),
             (SAMPLE, SAMPLE, "-", f"{len(sample.train):,}", f"{len(sample.test):,}", str(sample.labels.size),
              "built in (AG News sample)")]
    table += [(m.id, m.name, str(m.version), f"{m.rows.get(TRAIN, 0):,}", f"{m.rows.get(TEST, 0):,}",
               str(len(m.label_names)), m.created.replace("T", " ")) for m in DatasetRegistry(store.root).manifests()]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    numeric = {3, 4, 5}
    for row in table:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())
    if len(table) == 2:
        print("No data set registered yet: python -m agnews_core data add PATH")
    return 0


def _show(spec: str, store: ArtifactStore) -> int:
    if spec == SAMPLE:
        return _show_sample()
    registry = DatasetRegistry(store.root)
    manifest = registry.get(spec)
    texts = pd.concat([registry.rows(manifest, split)["text"] for split in (TRAIN, TEST)]).astype(str).tolist()
    report = registry.report(manifest) or {}
    sections = [
        [f"{manifest.id}: data set {manifest.name}, version {manifest.version}", _rows_text(manifest.rows)],
        class_lines(manifest.class_rows, manifest.label_names),
        [length_line(text_lengths(texts))],
        problem_lines(report.get("problems", [])),
        manifest_lines(manifest),
    ]
    print("\n\n".join("\n".join(lines) for lines in sections))
    return 0


def _show_sample() -> int:
    """The bundled sample's report, computed now (it has no manifest)."""
    from agnews_core.data.sources import load_source

    source = load_source(SAMPLE)
    frames = [frame.assign(label=frame["label"].map(source.labels.name), split=split, row=range(1, len(frame) + 1))
              for frame, split in ((source.train, TRAIN), (source.test, TEST))]
    frame = pd.concat(frames, ignore_index=True)[["text", "label", "split", "row"]]
    report = check_health(frame)
    sections = [
        [f"{SAMPLE}: the bundled AG News sample, built in", _rows_text(report.rows)],
        class_lines(report.class_rows, source.labels.names),
        [length_line(text_lengths(frame["text"].astype(str).tolist()))],
        problem_lines(report.to_dict()["problems"]),
    ]
    print("\n\n".join("\n".join(lines) for lines in sections))
    return 0


def _remove(spec: str, force: bool, store: ArtifactStore) -> int:
    from agnews_core.review.verdicts import VerdictStore
    from agnews_core.store.dataset_usage import dataset_usage

    if spec == SAMPLE:
        return _fail("remove", "the bundled AG News sample is built in and cannot be removed")
    registry = DatasetRegistry(store.root)
    versions = registry.manifests()
    chosen = [m for m in versions if m.id == spec] or [m for m in versions if m.name == spec]
    if not chosen:
        registry.get(spec)  # raises, naming the data sets there are
    usage = dataset_usage(store, chosen, lambda name: len(VerdictStore(store.root, name).verdicts()))
    ids = ", ".join(usage.dataset_ids)
    if usage.in_use and not force:
        verb = "is" if len(chosen) == 1 else "are"
        return _fail("remove", f"{ids} {verb} {usage.describe()}: nothing was removed; pass --force to remove it "
                               "anyway (those sweeps keep their results but can no longer reload its rows; verdicts stay)")
    for manifest in chosen:
        registry.remove(manifest)
    after = f" (it was {usage.describe()}: those sweeps can no longer reload its rows; verdicts stay)" \
        if usage.in_use else ""
    print(f"Removed {ids}{after}")
    return 0
