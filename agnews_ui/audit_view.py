"""The audit log for admins: filters by person, action, outcome, dates and target, newest first, and CSV."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from agnews_core.access.audit import AuditEntry


def audit_frame(entries: list[AuditEntry]) -> pd.DataFrame:
    """One row per entry, newest first, with `at` as a UTC timestamp."""
    frame = pd.DataFrame([e.to_json() for e in entries],
                         columns=["at", "who", "role", "action", "target", "outcome", "detail"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True, errors="coerce")
    return frame.iloc[::-1].reset_index(drop=True)


def filter_audit(frame: pd.DataFrame, who: list[str], actions: list[str], outcomes: list[str],
                 days: tuple[date, date] | None, search: str) -> pd.DataFrame:
    """The rows that match every filter given (an empty list or text filters nothing)."""
    keep = pd.Series(True, index=frame.index)
    for column, chosen in (("who", who), ("action", actions), ("outcome", outcomes)):
        if chosen:
            keep &= frame[column].isin(chosen)
    if days is not None:
        day = frame["at"].dt.date
        keep &= (day >= days[0]) & (day <= days[1])
    if search.strip():
        needle = search.strip().lower()
        keep &= (frame["target"].str.lower().str.contains(needle, regex=False)
                 | frame["detail"].str.lower().str.contains(needle, regex=False))
    return frame[keep]


def show_audit(entries: list[AuditEntry], unreadable_lines: int) -> None:
    """Filters above the table, the table, and the filtered rows as CSV."""
    if unreadable_lines:
        st.warning(f"{unreadable_lines:,} line(s) of the log could not be read (a write cut short); the rest is shown.",
                   icon=":material/warning:")
    if not entries:
        st.info("Nothing recorded yet: sweeps, cancels, data sets and verdicts appear here as people act.",
                icon=":material/info:")
        return
    frame = audit_frame(entries)
    columns = st.columns([2, 2, 1.4, 1.6, 2])
    who = columns[0].multiselect("Who", sorted(frame["who"].unique()), key="audit:who")
    actions = columns[1].multiselect("Action", sorted(frame["action"].unique()), key="audit:action")
    outcomes = columns[2].multiselect("Outcome", sorted(frame["outcome"].unique()), key="audit:outcome")
    first, last = frame["at"].min().date(), frame["at"].max().date()
    days = columns[3].date_input("Dates", value=(first, last), min_value=first, max_value=last, key="audit:days")
    search = columns[4].text_input("Target or detail contains", key="audit:search", max_chars=200)
    chosen_days = tuple(days) if isinstance(days, tuple | list) and len(days) == 2 else None
    shown = filter_audit(frame, who, actions, outcomes, chosen_days, search)
    st.caption(f"{len(shown):,} of {len(frame):,} entries, newest first (times in UTC).")
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={"at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss")})
    st.download_button("Download these entries as CSV", shown.to_csv(index=False).encode("utf-8"),
                       file_name="audit-log.csv", mime="text/csv", icon=":material/download:", on_click="ignore")
