"""Per-session UI state: one-shot messages an action leaves for the page, and polling while a job runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import streamlit as st

FlashKind = Literal["success", "info", "warning", "error", "toast"]
ICONS: dict[str, str] = {"success": ":material/check:", "toast": ":material/check:", "info": ":material/info:",
                         "warning": ":material/report:", "error": ":material/error:"}
_PREFIX = "flash:"


@dataclass(frozen=True)
class Flash:
    """A message waiting to be shown once."""

    text: str
    kind: FlashKind = "success"
    icon: str | None = None  # None: the kind's own icon
    detail: str = ""  # shown under the message with st.text (never Markdown): e.g. the problems of an import


def flash(slot: str, text: str, kind: FlashKind = "success", icon: str | None = None, detail: str = "") -> None:
    """Leave a message for the next show_flash(slot): later in this run, or in the run after a callback."""
    st.session_state[_PREFIX + slot] = Flash(text, kind, icon, detail)


def show_flash(slot: str) -> None:
    """Show the slot's message, if any, and forget it."""
    message: Flash | None = st.session_state.pop(_PREFIX + slot, None)
    if message is None:
        return
    icon = message.icon or ICONS[message.kind]
    if message.kind == "toast":
        st.toast(message.text, icon=icon)
        return
    getattr(st, message.kind)(message.text, icon=icon)
    if message.detail:
        st.text(message.detail)


def poll_while(is_active: Callable[[], bool], draw: Callable[[], None], every: float = 2.0) -> None:
    """Draw `draw` in a fragment that redraws itself every `every` seconds while is_active() is true.

    A fragment's run_every is fixed when the page runs, so when the last job ends the fragment reruns the whole page
    once: that run draws the final state everywhere and stops polling.
    """
    active = is_active()

    def polled() -> None:
        draw()
        if active and not is_active():
            st.rerun()

    st.fragment(run_every=every if active else None)(polled)()
