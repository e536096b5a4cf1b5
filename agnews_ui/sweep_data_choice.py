"""The Sweep form's Data choices: the built-in sources plus every registered data set, preselected from ?data=."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from agnews_core.config.fields import Choice, FieldInfo
from agnews_core.data.drafts import DataSetError
from agnews_core.data.registry import DatasetManifest, DatasetRegistry
from agnews_core.data.sources import DataError, available_sizes, load_source
from agnews_core.sweeps.request import SIZE_ROWS

DATA_PARAM = "data"


def with_registered_data(fields: tuple[FieldInfo, ...], root) -> tuple[FieldInfo, ...]:  # noqa: ANN001
    """The fields with the data field offering every registered data set; ?data=<name or id> preselects one and
    sizes the train, eval and test rows to what it has."""
    registered = DatasetRegistry(root).latest()
    wanted = st.query_params.get(DATA_PARAM, "")
    manifest = _find(wanted, root)
    limits = _limits(wanted, root) if manifest is not None or wanted in ("sample", "hub") else {}
    changed = []
    for info in fields:
        if info.name == "data":
            extra = tuple(Choice(m.name, _label(m)) for m in registered)
            default = wanted if manifest is not None or wanted in info.values else info.default
            if manifest is not None and wanted == manifest.id:  # a pinned version
                extra += (Choice(manifest.id, f"{manifest.id} (this version)"),)
            info = replace(info, choices=info.choices + extra, default=default)
        elif info.name in SIZE_ROWS and limits:
            info = replace(info, default=max(1, min(int(info.default), limits[SIZE_ROWS[info.name]])))
        changed.append(info)
    return tuple(changed)


def _label(manifest: DatasetManifest) -> str:
    return (f"data set {manifest.name} ({manifest.rows['train']:,} train / {manifest.rows['test']:,} test rows, "
            f"{len(manifest.label_names)} classes)")


def _find(wanted: str, root) -> DatasetManifest | None:  # noqa: ANN001
    if not wanted:
        return None
    try:
        return DatasetRegistry(root).get(wanted)
    except DataSetError:
        return None


def _limits(spec: str, root) -> dict[str, int]:  # noqa: ANN001
    try:
        return available_sizes(load_source(spec, root))
    except (DataError, ValueError):
        return {}
