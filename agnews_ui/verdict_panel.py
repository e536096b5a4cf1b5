"""Verdicts on the Errors page: record one on the selected row, list them, export them as CSV, import a CSV.

Every text an analyst or a CSV supplied is shown with st.text or in a table, never as Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from agnews_core.access.guard import AccessRefused
from agnews_core.access.roles import Action
from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.review.agreement import agreement
from agnews_core.review.policies import CorrectionPolicy, resolve_rows
from agnews_core.review.verdict_csv import VerdictImportError, export_csv, import_csv
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore, reviewer_name, source_slug
from agnews_core.text_keys import text_key
from agnews_ui.auth import actor, allowed, why_not
from agnews_ui.label_review_view import verdict_text
from agnews_ui.state import flash, show_flash

REVIEWER_KEY, UPLOAD_KEY = "verdict_reviewer", "verdicts_upload"
SAVED, IMPORTED = "verdict_saved", "verdicts_imported"  # flash slots
KIND_LABELS = {VerdictKind.RELABEL: "Gold label is wrong: it should be the label below",
               VerdictKind.REMOVE: "Remove this row (ambiguous or not news)",
               VerdictKind.KEEP: "Label is right, the model is wrong"}


def verdict_form(store: VerdictStore, text: str, gold: int, predicted: int, names: tuple[str, ...]) -> None:
    """The verdict form for one row: every reviewer's current verdict, then this reviewer's own to record or clear
    (its buttons write before the page runs again)."""
    show_flash(SAVED)
    on_row = store.by_row().get(text_key(text), [])
    if on_row:
        st.caption(f"Current verdicts on this row ({len(on_row)} reviewer{'s' if len(on_row) > 1 else ''}):")
        st.dataframe(reviewers_table(on_row, names), hide_index=True, width="stretch")
    if not allowed(Action.RECORD_VERDICT):
        st.caption(why_not(Action.RECORD_VERDICT))
        return
    who, keys = reviewer_key(text), _form_keys(text)
    others = [i for i in range(len(names)) if i != gold]
    user = actor()
    if user.signed_in:  # verdicts carry the signed-in identity: no name to type
        st.session_state[who] = user.who
    # Widget state is set here and in callbacks only, never by value=/index= too (Streamlit warns on both)
    if who not in st.session_state:
        st.session_state[who] = st.session_state.get(REVIEWER_KEY, "")
    if keys["kind"] not in st.session_state:  # first drawn for this row: start from this reviewer's own verdict
        _fill(keys, _own(on_row, st.session_state[who]), predicted, others)
    if user.signed_in:
        reviewer = user.who
        st.caption(f"Recording as {reviewer}. Recording replaces only your verdict; other reviewers' stay.")
    else:
        reviewer = st.text_input("Reviewer (optional)", max_chars=80, key=who, on_change=_switch_reviewer,
                                 args=(store, text, who, keys, predicted, others),
                                 help="Your name, remembered for this session. Each reviewer keeps one verdict per "
                                      "row: recording replaces only yours, and other reviewers' verdicts stay.").strip()
    with st.form(f"verdict-{text_key(text)}", border=False):
        st.radio("Verdict", list(KIND_LABELS), format_func=KIND_LABELS.__getitem__, key=keys["kind"])
        st.selectbox("It should be", others, format_func=lambda i: names[i], key=keys["new_label"],
                     help="Used only for 'gold label is wrong'. Type to search the labels.")
        st.text_input("Note (optional)", max_chars=500, key=keys["note"])
        st.form_submit_button("Record verdict", type="primary", icon=":material/gavel:", on_click=_record,
                              args=(store, text, gold, keys, who))
    if _own(on_row, reviewer) is not None:
        whose = f"{reviewer}'s" if reviewer else "the anonymous"
        st.button(f"Clear {whose} verdict", icon=":material/undo:", on_click=_clear, args=(store, text, who),
                  help="Other reviewers' verdicts on this row stay.")


def reviewers_table(verdicts: Sequence[Verdict], names: tuple[str, ...]) -> pd.DataFrame:
    """Who said what, when, and why: one line per reviewer's verdict."""
    return pd.DataFrame({"reviewer": [reviewer_name(v.reviewer) for v in verdicts],
                         "verdict": [verdict_text(v, names) for v in verdicts],
                         "recorded": [v.recorded_at for v in verdicts], "note": [v.note for v in verdicts]})


def reviewer_key(text: str) -> str:
    """Widget key of the Reviewer box on one row's verdict form."""
    return f"verdict-reviewer-{text_key(text)}"


def _form_keys(text: str) -> dict[str, str]:
    """Widget keys of one row's verdict form: the callbacks read and fill its values through them."""
    row = text_key(text)
    return {field: f"verdict-{field}-{row}" for field in ("kind", "new_label", "note")}


def _own(verdicts: Sequence[Verdict], reviewer: str) -> Verdict | None:
    return next((v for v in verdicts if v.reviewer == str(reviewer).strip()), None)


def _fill(keys: dict[str, str], verdict: Verdict | None, predicted: int, others: list[int]) -> None:
    """Set the form to a reviewer's verdict, or to a fresh one suggesting the model's label."""
    suggested = verdict.new_label if verdict is not None and verdict.new_label is not None else predicted
    st.session_state[keys["kind"]] = verdict.kind if verdict is not None else next(iter(KIND_LABELS))
    st.session_state[keys["new_label"]] = suggested if suggested in others else others[0]
    st.session_state[keys["note"]] = verdict.note if verdict is not None else ""


def _switch_reviewer(store: VerdictStore, text: str, who: str, keys: dict[str, str], predicted: int,
                     others: list[int]) -> None:
    # Remembered apart from the box, whose state Streamlit drops once no row is selected; a reviewer with a verdict
    # here sees it in the form, anyone else keeps what is typed in it.
    reviewer = str(st.session_state[who]).strip()
    st.session_state[REVIEWER_KEY] = reviewer
    theirs = store.get(text_key(text), reviewer)
    if theirs is not None:
        _fill(keys, theirs, predicted, others)


def _record(store: VerdictStore, text: str, gold: int, keys: dict[str, str], who: str) -> None:
    typed = {field: st.session_state[key] for field, key in keys.items()}
    kind, reviewer = typed["kind"], str(st.session_state.get(who, "")).strip()
    verdict = Verdict(text=text, label=gold, kind=kind, note=str(typed["note"]).strip(), reviewer=reviewer,
                      new_label=typed["new_label"] if kind is VerdictKind.RELABEL else None)
    if _save(lambda: store.record(verdict, actor()), "Verdict recorded."):
        st.session_state[REVIEWER_KEY] = reviewer


def _clear(store: VerdictStore, text: str, who: str) -> None:
    reviewer = str(st.session_state.get(who, "")).strip()
    _save(lambda: store.delete(text_key(text), reviewer, actor()), "Verdict cleared.")


def _save(write: Callable[[], object], done: str) -> bool:
    """Run a verdict write in a button's callback: a toast when it worked, an error by the form when not."""
    try:
        write()
    except AccessRefused as refused:
        flash(SAVED, str(refused), "error")
        return False
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
    """Every reviewer's verdicts on this data source: a table, the agreement among reviewers, a CSV download and a
    CSV import (all or nothing)."""
    show_flash(SAVED)  # the toast of a verdict cleared on a row no longer shown
    contents = store.read()
    verdicts = contents.all()
    with st.expander("Verdicts on this data: list, agreement, export, import", icon=":material/gavel:"):
        reviewers = len({v.reviewer for v in verdicts})
        st.caption(f"{len(verdicts):,} verdict(s) recorded on {len(contents.rows):,} row(s) by {reviewers:,} "
                   f"reviewer(s). Stored per data source ({source}) in the artifacts folder; every browser session "
                   "sees them. Apply them to the next sweep with Label corrections = apply on the Sweep page, and "
                   "pick there which verdict counts where reviewers differ (Verdict policy).")
        if contents.unreadable_lines:
            st.warning(f"{contents.unreadable_lines} damaged line(s) of the verdict file were skipped.")
        if verdicts:
            st.dataframe(pd.DataFrame({
                "text": [v.text for v in verdicts], "gold label": [_label_name(v.label, names) for v in verdicts],
                "verdict": [verdict_text(v, names) for v in verdicts], "note": [v.note for v in verdicts],
                "reviewer": [reviewer_name(v.reviewer) for v in verdicts],
                "recorded": [v.recorded_at for v in verdicts],
            }), hide_index=True, width="stretch")
            agreement_part(contents.rows, names)
        st.download_button("Export all verdicts as CSV", export_csv(verdicts, LabelSet(names)).encode("utf-8"),
                           file_name=f"verdicts-{source_slug(source)}.csv", mime="text/csv",
                           icon=":material/download:", disabled=not verdicts,
                           on_click="ignore")  # no rerun: one racing the download could drop its file
        if not allowed(Action.IMPORT_VERDICTS):
            st.caption(why_not(Action.IMPORT_VERDICTS))
            return
        upload = st.file_uploader("Import verdicts from a CSV", type=["csv"], key=UPLOAD_KEY,
                                  help="Columns: text, label, kind (relabel, remove, keep), new_label, note, reviewer. "
                                       "Each line adds or replaces its reviewer's verdict on its text. Every row is "
                                       "checked first; if one is wrong, nothing is imported.")
        if upload is not None:
            st.button("Import these verdicts", icon=":material/upload:", on_click=_import_upload,
                      args=(store, load_data, names))
        show_flash(IMPORTED)


def agreement_part(rows: dict[str, list[Verdict]], names: tuple[str, ...]) -> None:
    """How far reviewers agree on the rows several of them judged, what each policy would apply, and the conflicts."""
    st.markdown("**Agreement**")
    result = agreement(rows)
    if result.rows:
        shared, kappa, conflicts = st.columns(3)
        shared.metric("Rows with 2+ reviewers", f"{result.rows:,}")
        kappa.metric(result.statistic, "n/a" if result.kappa is None else f"{result.kappa:.2f}",
                     help="Agreement beyond what chance would give: 1 always the same verdict, 0 no better than "
                          "chance. Cohen's kappa for two reviewers, Fleiss' kappa for three or more.")
        conflicts.metric("Conflicts", f"{len(result.conflicts):,}")
    st.caption(result.describe())
    applied = {policy: sum(v.kind is not VerdictKind.KEEP for v in resolve_rows(rows, policy).values())
               for policy in CorrectionPolicy}
    st.caption("Rows with a relabel or remove verdict, by Verdict policy: "
               + ", ".join(f"{policy} {count:,}" for policy, count in applied.items()) + ".")
    if result.conflicts:
        st.dataframe(pd.DataFrame({
            "text": [c.text for c in result.conflicts],
            "gold label": [_label_name(c.label, names) for c in result.conflicts],
            "verdicts": [" · ".join(f"{reviewer_name(v.reviewer)}: {verdict_text(v, names)}" for v in c.verdicts)
                         for c in result.conflicts],
        }), hide_index=True, width="stretch")


def _label_name(label: int, names: tuple[str, ...]) -> str:
    """A label's name; an id outside the data set's labels as its number."""
    return names[label] if 0 <= label < len(names) else str(label)


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
        result = import_csv(store, text, load_data(), LabelSet(names), actor())
    except VerdictImportError as exc:
        flash(IMPORTED, f"Nothing was imported: {len(exc.messages)} problem(s) in the file.", "error",
              detail="\n".join(exc.messages[:50]))
        return
    except (OSError, TimeoutError, ValueError) as exc:
        flash(IMPORTED, f"Nothing was imported: {exc}", "error")
        return
    replaced = f" ({result.replaced:,} replaced earlier verdicts)" if result.replaced else ""
    flash(IMPORTED, f"Imported {result.imported:,} verdict(s){replaced}.")
