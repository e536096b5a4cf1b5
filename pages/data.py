"""Data: the bundled AG News sample and the data sets users registered, each with its report; add one from files."""

import streamlit as st

from agnews_core.access.roles import Action
from agnews_core.config.artifacts_root import default_root
from agnews_core.data.registry import DatasetRegistry
from agnews_ui import page_registry
from agnews_ui.auth import allowed, why_not
from agnews_ui.data_add import FILE_TYPES, Upload, add_dataset, upload_limit_text
from agnews_ui.data_view import pick_dataset, show_dataset

page_registry.ensure_app_navigation(__file__)

st.title("Data")
root = default_root()
listed, adding = st.tabs(["Data sets", "Add a data set"])

with listed:
    manifest = pick_dataset(DatasetRegistry(root).manifests())
    show_dataset(manifest, root)

with adding:
    if not allowed(Action.REGISTER_DATASET):
        st.info(why_not(Action.REGISTER_DATASET), icon=":material/lock:")
        st.stop()
    st.write("Bring your own labelled texts: a table with a text column and a label column (any 2 to 500 labels). "
             "Without a test file, a share of the rows is held out for testing.")
    train_file = st.file_uploader("Training file", type=FILE_TYPES, key="data:train_file")
    test_file = st.file_uploader("Test file (optional)", type=FILE_TYPES, key="data:test_file")
    st.caption(upload_limit_text())
    train = Upload.of(train_file)
    if train is None:
        st.info("Upload a training file to see its report before anything is stored.", icon=":material/info:")
    else:
        add_dataset(train, Upload.of(test_file), root)
