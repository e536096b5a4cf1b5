"""The Results page's reproducibility card: versions, hardware, precision, data, and the command to run it again."""

from __future__ import annotations

import streamlit as st

from agnews_core.serving.snippets import rerun_command
from agnews_core.store.records import SweepRecord


def environment_lines(sweep: SweepRecord) -> list[tuple[str, str]]:
    """(what, value) pairs the card shows; empty when the sweep predates the record."""
    env = sweep.environment
    if env is None:
        return []
    versions = f"python {env.python} · torch {env.torch} · transformers {env.transformers} · datasets {env.datasets}"
    rows = ", ".join(f"{split} {count:,}" for split, count in env.data.rows.items())
    return [
        ("Versions", versions),
        ("Hardware", env.hardware.describe()),
        ("Precision", f"{env.precision} (asked: {sweep.config.precision})"),
        ("Data", f"{env.data.source} · {rows} rows"),
        ("Data checksum", f"sha256 {env.data.sha256}"),
    ]


def render_environment_card(sweep: SweepRecord) -> None:
    """A bordered card; sweeps from before the record get a note instead of the details."""
    with st.container(border=True, key="reproducibility"):
        st.markdown("**Reproducibility**")
        lines = environment_lines(sweep)
        if lines:
            st.markdown("\n".join(f"- **{what}:** `{value}`" for what, value in lines))
        else:
            st.caption("Versions, hardware and a data checksum were not recorded for this sweep (it predates them).")
        st.caption("Run it again with the same settings:")
        st.code(rerun_command(sweep.sweep_id), language="bash")
