"""AG News Lab: page config and navigation; every screen lives in pages/."""

import streamlit as st

st.set_page_config(page_title="AG News Lab", page_icon=":material/newspaper:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/sweep.py", title="Sweep", icon=":material/tune:"),
        st.Page("pages/results.py", title="Results", icon=":material/show_chart:"),
        st.Page("pages/accuracy.py", title="Accuracy", icon=":material/grid_on:"),
        st.Page("pages/errors.py", title="Errors", icon=":material/rule:"),
        st.Page("pages/predict.py", title="Predict", icon=":material/bolt:"),
    ]
)
navigation.run()
