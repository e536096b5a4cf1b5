"""The Data page's list: the bundled AG News sample and every registered data set (any version), and the report
of the one picked. The choice lives in the URL (?dataset=<id>, or 'sample') so a report can be linked to."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from agnews_core.access.identity import LOCAL_USER
from agnews_core.data.health import TEST, TRAIN
from agnews_core.data.registry import DatasetManifest
from agnews_ui import page_registry
from agnews_ui.data_report import droppable_text, show_report
from agnews_ui.data_summary import manifest_version, registered_summary, sample_summary, sample_version

SAMPLE = "sample"
SAMPLE_TITLE = "AG News (bundled sample)"
PICK_KEY = "data:dataset"  # the picked name ('sample' or a registered name); data_add sets it after registering


def pick_dataset(manifests: list[DatasetManifest]) -> DatasetManifest | None:
    """A select box of data sets (and one of versions when a name has several); None is the bundled sample."""
    versions: dict[str, list[DatasetManifest]] = {}
    for manifest in manifests:
        versions.setdefault(manifest.name, []).append(manifest)
    wanted = st.query_params.get("dataset", SAMPLE)
    wanted_manifest = next((m for m in manifests if wanted in (m.id, m.name)), None)
    if wanted != SAMPLE and wanted_manifest is None:
        st.warning(f"No data set {wanted!r} is registered: showing the bundled sample.", icon=":material/report:")
    options = [SAMPLE, *versions]
    if st.session_state.get(PICK_KEY) not in options:
        st.session_state.pop(PICK_KEY, None)  # removed since (the CLI can remove data sets)
    default = {} if PICK_KEY in st.session_state else \
        {"index": options.index(wanted_manifest.name) if wanted_manifest else 0}

    def title(name: str) -> str:
        if name == SAMPLE:
            return SAMPLE_TITLE
        newest = versions[name][-1]
        return f"{name} ({newest.rows[TRAIN]:,} train / {newest.rows[TEST]:,} test rows, {len(newest.label_names)} classes)"

    name = st.selectbox("Data set", options, key=PICK_KEY, format_func=title, **default)
    if name == SAMPLE:
        st.query_params["dataset"] = SAMPLE
        return None
    chosen = versions[name][::-1]  # newest first
    if len(chosen) > 1:
        ids = [m.id for m in chosen]
        index = ids.index(wanted) if wanted in ids else 0
        picked = st.selectbox("Version", ids, index=index, key=f"data:version:{name}",
                              format_func=lambda i: _version_title(next(m for m in chosen if m.id == i)))
        chosen = [m for m in chosen if m.id == picked]
    st.query_params["dataset"] = chosen[0].id
    return chosen[0]


def _version_title(manifest: DatasetManifest) -> str:
    return (f"{manifest.id} · registered {_when(manifest.created)} · {manifest.rows[TRAIN]:,} train / "
            f"{manifest.rows[TEST]:,} test rows")


def _when(created: str) -> str:
    """'2026-03-01 14:05 UTC' from an ISO time; the text itself when it is not one."""
    try:
        return datetime.fromisoformat(created).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return created


def show_dataset(manifest: DatasetManifest | None, root: Path) -> None:
    """The picked data set: where it came from (registered ones) and its report."""
    if manifest is None:
        st.caption("The AG News sample shipped with the app: sweeps use it with the data source 'sample'. "
                   "Its report is computed here; registered data sets keep the one made when they were added.")
        show_report(sample_summary(sample_version()), key=SAMPLE)
        return
    st.dataframe(manifest_details(manifest), hide_index=True, width="stretch",
                 column_config={"": st.column_config.TextColumn(width="small"),
                                "value": st.column_config.TextColumn(width="large")})
    page_registry.link(page_registry.SWEEP, f"Sweep on {manifest.name}", query_params={"data": manifest.name})
    try:
        summary = registered_summary(str(root), manifest.id, manifest_version(root, manifest.id))
    except Exception as exc:  # noqa: BLE001 - a damaged folder is reported, the rest of the page still works
        st.error(f"Data set {manifest.id} cannot be read: {exc}", icon=":material/error:")
        return
    show_report(summary, key=manifest.id)


def manifest_details(manifest: DatasetManifest) -> pd.DataFrame:
    """What a registered version is and where its rows came from, one line each."""
    dropped = droppable_text([{"kind": k, "count": n} for k, n in manifest.dropped.items()]) or "nothing"
    details = {
        "Id": manifest.id,
        "Labels (in id order)": ", ".join(manifest.label_names),
        "Source files": ", ".join(manifest.source_files),
        "SHA-256": manifest.sha256[:12] + "…",
        "Registered": _when(manifest.created) + (f" by {manifest.created_by}" if manifest.created_by not in ("", LOCAL_USER.who) else ""),
        "Columns": manifest.columns.describe(),
        "Test rows from": manifest.test_rows_from,
        "Dropped at registration": dropped,
    }
    return pd.DataFrame({"": list(details), "value": list(details.values())})

