"""Make a page that was opened first on a fresh server run inside the app's own navigation."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app_navigation() -> None:
    """Rerun through app.py when Streamlit ran this page as an old-style pages/ app.

    Streamlit treats a folder named pages/ next to app.py as a v1 multipage app until app.py first calls
    st.navigation; a shared page link that is a fresh server's first request would otherwise run the page
    alone (no page config, a sidebar listing raw file names). The flag is process-wide, so this happens
    at most once per server start.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
