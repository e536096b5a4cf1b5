"""Make a page that was opened first on a fresh server run inside the app's own navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.pages_manager import PagesManager


def ensure_app_navigation(page_file: str) -> None:
    """Run this page again through app.py when Streamlit ran it as an old-style pages/ app.

    Streamlit treats a folder named pages/ next to app.py as a v1 multipage app until app.py first calls
    st.navigation; a shared page link that is a fresh server's first request would otherwise run the page
    alone (no page config, a sidebar listing raw file names). The flag is process-wide, so this happens
    at most once per server start. AppTest resets the flag before every run and runs pages fine without
    this, so only a real server (not AppTest's mock runtime) takes the detour.
    """
    if PagesManager.uses_pages_directory and type(Runtime.instance()) is Runtime:
        PagesManager.uses_pages_directory = False
        page = Path(page_file).resolve().relative_to(Path(__file__).resolve().parents[1])
        st.switch_page(str(page), query_params=st.query_params.to_dict())
