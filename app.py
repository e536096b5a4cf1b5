"""AG News Lab: page config and navigation; every screen lives in pages/, listed in agnews_ui/page_registry.py."""

import streamlit as st

from agnews_ui.page_registry import navigation
from agnews_ui.resources import warm_up

st.set_page_config(page_title="AG News Lab", page_icon=":material/newspaper:", layout="wide")
try:
    navigation().run()
finally:
    # After the page is drawn, once per server process: fit the TF-IDF demo and load Predict's default model in
    # background threads, so that Predict answers from its first click.
    warm_up()
