"""Adding a data set from uploaded files: preview, column choices, the draft's report, then registration.

Everything after the upload is `add_dataset(train, test, root)` over (name, bytes), so it runs without a browser.
Reading and checking a big file takes seconds, so each is kept in this session for the file's hash and the
options chosen, and redone only when they change, never on every rerun.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from agnews_core.data.columns import ColumnError, ColumnMapping, guess_mapping
from agnews_core.data.drafts import DataSetError, Draft, DraftOptions, draft_from_tables
from agnews_core.data.health import TEST, TRAIN
from agnews_core.data.readers import ReadTable, TableReadError, read_table
from agnews_core.data.registry import DatasetRegistry, check_name, slug
from agnews_ui import page_registry
from agnews_ui.auth import actor
from agnews_ui.data_report import droppable_text, show_report
from agnews_ui.data_summary import DataSummary, summarise
from agnews_ui.data_view import PICK_KEY

FILE_TYPES = ["csv", "tsv", "jsonl", "json", "parquet"]
PREVIEW_ROWS = 5
REFUSALS = (TableReadError, DataSetError, ColumnError)  # expected: shown as st.error, never a traceback
OUTCOME_KEY = "data:outcome"
RESERVED = ("sample", "hub", "auto")  # data sources load_source knows before registered names
T = TypeVar("T")


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name and bytes."""

    name: str
    content: bytes = field(repr=False)

    @classmethod
    def of(cls, uploaded: Any) -> Upload | None:
        """From st.file_uploader's value (None stays None)."""
        return None if uploaded is None else cls(uploaded.name, uploaded.getvalue())

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What the last Register click did, shown while the same draft and choices are on screen."""

    draft_key: tuple[str, DraftOptions]
    ok: bool
    text: str
    name: str = ""


def upload_limit_text() -> str:
    """'Files up to 1,024 MB each' from the server's own setting."""
    return f"Files up to {int(st.get_option('server.maxUploadSize')):,} MB each ({', '.join(FILE_TYPES)})."


def add_dataset(train: Upload, test: Upload | None, root: Path) -> None:
    """Preview the files, choose columns, name and test share, show the draft's report, offer to register it."""
    try:
        train_table = _remembered("data:read:train", train.digest, lambda: read_table(train.content, train.name))
        test_table = None if test is None else \
            _remembered("data:read:test", test.digest, lambda: read_table(test.content, test.name))
    except REFUSALS as exc:
        st.error(_sentence(str(exc)), icon=":material/error:")
        return
    for table, what in ((train_table, "Training file"), (test_table, "Test file")):
        if table is not None:
            show_preview(table, what)
    chosen = choose_options(train_table, test_table is not None, key=train.digest[:16])
    if chosen is None:
        return
    options, name_problem = chosen
    draft_key = (train.digest, test.digest if test else "", options.mapping, options.test_share)
    try:
        draft, summary = _remembered("data:draft", draft_key, lambda: _checked(train_table, test_table, options))
    except REFUSALS as exc:
        st.error(_sentence(str(exc)), icon=":material/error:")
        return
    draft = replace(draft, options=options)  # the name is not part of the check: renaming does not redo it
    st.subheader("Report")
    st.caption(f"Test rows: {draft.test_rows_from}.")
    show_report(summary, key="draft")
    offer_registration(draft, name_problem, root)


def show_preview(table: ReadTable, what: str) -> None:
    """The first rows of a file and how it was read."""
    st.markdown(f"**{what}**: {len(table.frame):,} rows, {table.file_format.upper()}, {table.encoding}")
    st.dataframe(table.frame.head(PREVIEW_ROWS), hide_index=True, width="stretch")


def choose_options(table: ReadTable, has_test: bool, key: str) -> tuple[DraftOptions, str] | None:
    """Columns, name and test share in a form (preselected from the column names); the options and what is
    wrong with the name ('' when nothing). None until both columns are chosen."""
    columns = [str(c) for c in table.frame.columns]
    guess = guess_mapping(columns)
    with st.form(f"data:options:{key}"):
        text = st.multiselect("Text column (one, or two to join with a space)", columns, max_selections=2,
                              default=list(guess.text) if guess else [], key=f"data:text:{key}")
        label = st.selectbox("Label column", columns, index=columns.index(guess.label) if guess else None,
                             key=f"data:label:{key}", placeholder="Choose the column holding the labels")
        name = st.text_input("Name", value=slug(table.file_name), max_chars=60, key=f"data:name:{key}",
                             help="Lower-case letters, digits, '_' and '-'. Sweeps and the CLI use it: --data <name>.")
        share = st.slider("Test share (%)", 5, 50, 20, key=f"data:share:{key}", disabled=has_test,
                          help="Rows held out for testing, stratified by label. Used only without a test file.")
        st.form_submit_button("Check with these choices")
    if not text or label is None:
        st.info("Choose the text column and the label column, then Check with these choices.", icon=":material/info:")
        return None
    try:
        mapping = ColumnMapping(tuple(text), label)
    except ColumnError as exc:
        st.error(_sentence(str(exc)), icon=":material/error:")
        return None
    name_problem = ""
    try:
        check_name(name)
        if name in RESERVED:
            name_problem = f"{name!r} already means a built-in data source: choose another name"
    except DataSetError as exc:
        name_problem = str(exc)
    if name_problem:
        st.error(_sentence(name_problem), icon=":material/error:")
    return DraftOptions(name, mapping, test_share=share / 100), name_problem


def offer_registration(draft: Draft, name_problem: str, root: Path) -> None:
    """Register, or, when rows have problems, ask to drop them and register; then what happened."""
    droppable = draft.report.droppable_rows
    drop = droppable > 0
    if drop:
        problems = draft.report.to_dict()["problems"]
        st.warning(f"{droppable:,} rows have problems that must be dropped to register: {droppable_text(problems)}. "
                   "Other problems are kept for you to review.", icon=":material/report:")
    refusal = name_problem or draft.refusal(drop)
    if refusal and not name_problem:
        st.error(f"This cannot be registered: {refusal}.", icon=":material/error:")
    versions = [m for m in DatasetRegistry(root).manifests() if m.name == draft.options.name]
    if versions:
        st.caption(f"{draft.options.name} is registered ({', '.join(m.id for m in versions)}): the same file with "
                   "the same choices is not stored twice; a changed file or other choices become the next version.")
    label = f"Drop {droppable:,} rows with problems and register" if drop else "Register"
    st.button(label, type="primary", disabled=bool(refusal), on_click=_register, args=(root, draft, drop))
    show_outcome(draft)


def show_outcome(draft: Draft) -> None:
    """The last registration's message, and on success a link to sweep on the data set."""
    outcome: Outcome | None = st.session_state.get(OUTCOME_KEY)
    if outcome is None or outcome.draft_key != (draft.sha256, draft.options):
        return
    if not outcome.ok:
        st.error(outcome.text, icon=":material/error:")
        return
    st.success(outcome.text, icon=":material/check_circle:")
    page_registry.link(page_registry.SWEEP, f"Sweep on {outcome.name}", query_params={"data": outcome.name})


def _register(root: Path, draft: Draft, drop: bool) -> None:
    """on_click: store the draft; nothing is stored when it fails."""
    key = (draft.sha256, draft.options)
    try:
        with st.spinner(f"Registering {len(draft.frame):,} rows…"):  # seconds for a large file
            manifest, created = DatasetRegistry(root).register(draft, drop, actor())
    except (DataSetError, OSError) as exc:  # AccessRefused too (a PermissionError): its sentence names the role
        st.session_state[OUTCOME_KEY] = Outcome(key, False, f"Nothing was registered: {exc}")
        return
    if created:
        text = (f"Registered {manifest.id} ({manifest.rows[TRAIN]:,} train / {manifest.rows[TEST]:,} test rows, "
                f"{len(manifest.label_names)} classes).")
    else:
        text = f"This file, with these choices, is already registered as {manifest.id}: nothing new was stored."
    st.session_state[OUTCOME_KEY] = Outcome(key, True, text, manifest.name)
    st.session_state[PICK_KEY] = manifest.name  # the list above shows it
    st.session_state.pop(f"data:version:{manifest.name}", None)
    st.query_params["dataset"] = manifest.id


def _checked(train: ReadTable, test: ReadTable | None, options: DraftOptions) -> tuple[Draft, DataSummary]:
    draft = draft_from_tables(train, test, options)
    return draft, summarise(draft.frame, draft.report.to_dict(), draft.label_names)


def _remembered(slot: str, key: object, compute: Callable[[], T]) -> T:
    """compute() once per key in this session (the latest key only); a refusal is remembered and raised again."""
    held = st.session_state.get(slot)
    if held is None or held[0] != key:
        try:
            held = (key, compute(), None)
        except REFUSALS as exc:
            held = (key, None, exc)
        st.session_state[slot] = held
    if held[2] is not None:
        raise held[2]
    return held[1]


def _sentence(message: str) -> str:
    """A core message ('data set name ...') as a sentence."""
    text = message[:1].upper() + message[1:]
    return text if text.endswith((".", "`", ")")) else text + "."
