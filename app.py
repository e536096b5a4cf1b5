"""AG News Lab: page config, the sign-in gate and navigation; every screen lives in pages/, listed in
agnews_ui/page_registry.py."""

import streamlit as st

from agnews_core.access.roles import Action, may
from agnews_ui.auth import auth_settings, current_identity
from agnews_ui.page_registry import gate_navigation, navigation
from agnews_ui.resources import warm_up
from agnews_ui.signin_screens import gate_screen, identity_sidebar

st.set_page_config(page_title="AG News Lab", page_icon=":material/newspaper:", layout="wide")
settings = auth_settings()
screen = gate_screen(settings)
if screen is not None:
    gate_navigation(screen).run()  # sign in first: no page, data or deep link before that
else:
    identity = current_identity()
    identity_sidebar(identity)
    try:
        navigation(with_audit=settings.enabled and may(identity.role, Action.VIEW_AUDIT)).run()
    finally:
        # After the page is drawn, once per server process: fit the TF-IDF demo and load Predict's default model in
        # background threads, so that Predict answers from its first click.
        warm_up()
