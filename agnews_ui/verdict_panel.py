"""Verdicts on the Errors page: record one on the selected row, list them, export them as CSV, import a CSV.

Every text an analyst or a CSV supplied is shown with st.text or in a table, never as Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.review.verdict_csv import VerdictImportError, export_csv, import_csv
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore, source_slug
from agnews_core.text_keys import text_key
from agnews_ui.label_review_view import verdict_text
from agnews_ui.state import flash, show_flash

REVIEWER_KEY, UPLOAD_KEY = "verdict_reviewer", "verdicts_upload"
SAVED, IMPORTED = "verdict_saved", "verdicts_imported"  # flash slots
KIND_LABELS = {VerdictKind.RELABEL: "Gold label is wrong: it should be the label below",
               VerdictKind.REMOVE: "Remove this row (ambiguous or not news)",
               VerdictKind.KEEP: "Label is right, the model is wrong"}


def verdict_form(store: VerdictStore, text: str, gold: int, predicted: int, names: tuple[str, ...],
                 current: Verdict | None) -> None:
    """The verdict form for one row; its buttons record or clear the verdict before the page runs again."""
    show_flash(SAVED)
    if current is not None:
        when = f" by {current.reviewer}" if current.reviewer else ""
        st.caption(f"Current verdict{when}, {current.recorded_at}:")
        st.text(verdict_text(current, names) + (f" · note: {current.note}" if current.note else ""))
    others = [i for i in range(len(names)) if i != gold]
    suggested = current.new_label if current is not None and current.new_label is not None else predicted
    keys = _form_keys(text)
    with st.form(f"verdict-{text_key(text)}", border=False):
        kinds = list(KIND_LABELS)
        st.radio("Verdict", kinds, format_func=KIND_LABELS.__getitem__, key=keys["kind"],
                 index=kinds.index(current.kind) if current is not None else 0)
        st.selectbox("It should be", others, format_func=lambda i: names[i], key=keys["new_label"],
                     index=others.index(suggested) if suggested in others else 0,
                     help="Used only for 'gold label is wrong'. Type to search the labels.")
        left, right = st.columns(2)
        left.text_input("Note (optional)", value=current.note if current else "", max_chars=500, key=keys["note"])
        right.text_input("Reviewer (optional)", value=st.session_state.get(REVIEWER_KEY, ""), max_chars=80,
                         key=keys["reviewer"])
        st.form_submit_button("Record verdict", type="primary", icon=":material/gavel:", on_click=_record,
                              args=(store, text, gold, keys))
    if current is not None:
        st.button("Clear this verdict", icon=":material/undo:", on_click=_save,
                  args=(lambda: store.delete(current.text_key), "Verdict cleared."))


def _form_keys(text: str) -> dict[str, str]:
    """Widget keys of one row's verdict form: the callback reads the submitted values through them."""
    row = text_key(text)
    return {field: f"verdict-{field}-{row}" for field in ("kind", "new_label", "note", "reviewer")}


def _record(store: VerdictStore, text: str, gold: int, keys: dict[str, str]) -> None:
    typed = {field: st.session_state[key] for field, key in keys.items()}
    kind, reviewer = typed["kind"], str(typed["reviewer"]).strip()
    verdict = Verdict(text=text, label=gold, kind=kind, note=str(typed["note"]).strip(), reviewer=reviewer,
                      new_label=typed["new_label"] if kind is VerdictKind.RELABEL else None)
    if _save(lambda: store.record(verdict), "Verdict recorded."):
        st.session_state[REVIEWER_KEY] = reviewer


def _save(write: Callable[[], object], done: str) -> bool:
    """Run a verdict write in a button's callback: a toast when it worked, an error by the form when not."""
    try:
        write()
    except (OSError, TimeoutError) as exc:  # filelock.Timeout is a TimeoutError
        flash(SAVED, f"The verdict could not be saved in {store_folder()}: {exc}", "error")
        return False
    flash(SAVED, done, "toast")
    return True


def store_folder() -> str:
    from agnews_ui.resources import store

    return str(store().root / "verdicts")


def verdicts_section(store: VerdictStore, source: str, load_data: Callable[[], pd.DataFrame],
                     names: tuple[str, ...]) -> None:
    """Every verdict of this data source: a table, a CSV download and a CSV import (all or nothing)."""
    show_flash(SAVED)  # the toast of a verdict cleared on a row no longer shown
    contents = store.read()
    verdicts = sorted(contents.verdicts.values(), key=lambda v: v.recorded_at, reverse=True)
    with st.expander("Verdicts on this data: list, export, import", icon=":material/gavel:"):
        st.caption(f"{len(verdicts):,} verdict(s) recorded. Stored per data source ({source}) in the artifacts folder; every browser session sees them. "
                   "Apply them to the next sweep with Label corrections = apply on the Sweep page.")
        if contents.unreadable_lines:
            st.warning(f"{contents.unreadable_lines} damaged line(s) of the verdict file were skipped.")
        if verdicts:
            st.dataframe(pd.DataFrame({
                "text": [v.text for v in verdicts], "gold label": [names[v.label] if v.label < len(names) else v.label
                                                               for v in verdicts],
                "verdict": [verdict_text(v, names) for v in verdicts], "note": [v.note for v in verdicts],
                "reviewer": [v.reviewer for v in verdicts], "recorded": [v.recorded_at for v in verdicts],
            }), hide_index=True, width="stretch")
        st.download_button("Export all verdicts as CSV", export_csv(verdicts, LabelSet(names)).encode("utf-8"),
                           file_name=f"verdicts-{source_slug(source)}.csv", mime="text/csv",
                           icon=":material/download:", disabled=not verdicts)
        upload = st.file_uploader("Import verdicts from a CSV", type=["csv"], key=UPLOAD_KEY,
                                  help="Columns: text, label, kind (relabel, remove, keep), new_label, note, reviewer. "
                                       "Every row is checked first; if one is wrong, nothing is imported.")
        if upload is not None:
            st.button("Import these verdicts", icon=":material/upload:", on_click=_import_upload,
                      args=(store, load_data, names))
        show_flash(IMPORTED)


def _import_upload(store: VerdictStore, load_data: Callable[[], pd.DataFrame], names: tuple[str, ...]) -> None:
    # The button's callback: the page then draws the verdict table with what was imported.
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is not None:
        import_csv_bytes(store, upload.getvalue(), load_data, names)


def import_csv_bytes(store: VerdictStore, raw: bytes, load_data: Callable[[], pd.DataFrame],
                     names: tuple[str, ...] = AG_NEWS.names) -> None:
    """Import an uploaded CSV, all or nothing; what happened waits in the IMPORTED flash slot."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(IMPORTED, "Nothing was imported: the file is not UTF-8 text (save the CSV as UTF-8).", "error")
        return
    try:
        result = import_csv(store, text, load_data(), LabelSet(names))
    except VerdictImportError as exc:
        flash(IMPORTED, f"Nothing was imported: {len(exc.messages)} problem(s) in the file.", "error",
              detail="\n".join(exc.messages[:50]))
        return
    except (OSError, TimeoutError, ValueError) as exc:
        flash(IMPORTED, f"Nothing was imported: {exc}", "error")
        return
    replaced = f" ({result.replaced:,} replaced earlier verdicts)" if result.replaced else ""
    flash(IMPORTED, f"Imported {result.imported:,} verdict(s){replaced}.")
