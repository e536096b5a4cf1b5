"""AG News Lab: page config and navigation; every screen lives in pages/, listed in agnews_ui/page_registry.py."""

import streamlit as st

from agnews_ui.page_registry import navigation

st.set_page_config(page_title="AG News Lab", page_icon=":material/newspaper:", layout="wide")
navigation().run()
