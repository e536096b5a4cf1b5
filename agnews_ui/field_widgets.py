"""Sweep form widgets drawn from the fields' metadata in agnews_core.config.sweep_config: one widget kind per field kind."""

from __future__ import annotations

from typing import Any

import streamlit as st

from agnews_core.config.fields import FieldInfo, limits_text


def _help(info: FieldInfo) -> str | None:
    limits = limits_text(info)
    text = " ".join(part for part in (info.help, limits[:1].upper() + limits[1:] + "." if limits else "") if part)
    return text or None


def field_error(errors: dict[str, str], name: str) -> None:
    """Show the message for one field right under it."""
    if name in errors:
        st.error(errors[name], icon=":material/error:")


def field_input(info: FieldInfo, errors: dict[str, str]) -> Any:
    """The widget for one field and its message; returns what the user typed (resolved for 'other' choices)."""
    if info.choices:
        options = [*info.values, *([info.other.choice] if info.other else [])]
        index = options.index(info.default) if info.default in options else 0
        other = info.other

        def shown(option: str) -> str:
            return other.label if other is not None and option == other.choice else info.choice_label(option)

        choice = st.selectbox(info.label, options, index=index, format_func=shown, help=_help(info))
        value: Any = choice
        if other is not None:
            typed = st.text_input(other.input_label, placeholder=other.placeholder,
                                  help=f"Used when {info.label} is '{other.choice}'.")
            value = typed.strip() if choice == other.choice else choice
    elif info.kind is int:
        value = st.number_input(info.label, int(info.minimum) if info.minimum is not None else None,
                                int(info.maximum) if info.maximum is not None else None, int(info.default),
                                step=int(info.step or 1), help=_help(info))
    elif info.kind is float:
        value = st.number_input(info.label, float(info.minimum) if info.minimum is not None else None,
                                float(info.maximum) if info.maximum is not None else None, float(info.default),
                                step=float(info.step) if info.step else None, help=_help(info))
    else:
        max_chars = int(info.maximum) if info.kind is str and info.maximum is not None else None
        value = st.text_input(info.label, info.shown(info.default), max_chars=max_chars, help=_help(info))
    field_error(errors, info.name)
    return value


def field_rows(fields: tuple[FieldInfo, ...], layout: tuple[tuple[str, ...], ...],
               errors: dict[str, str]) -> dict[str, Any]:
    """Every field as a widget, `layout` giving rows of side-by-side fields; fields it omits get a row each, before the last row."""
    by_name = {f.name: f for f in fields}
    placed = {name for row in layout for name in row}
    rows = [*layout[:-1], *((f.name,) for f in fields if f.name not in placed), *layout[-1:]]
    typed: dict[str, Any] = {}
    for row in rows:
        names = [name for name in row if name in by_name]
        if len(names) == 1:
            typed[names[0]] = field_input(by_name[names[0]], errors)
            continue
        for column, name in zip(st.columns(len(names)), names, strict=True):
            with column:
                typed[name] = field_input(by_name[name], errors)
    return typed
