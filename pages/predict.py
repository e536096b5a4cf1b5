"""Predict: classify a headline with a saved run (or the untrained model) and see the probabilities."""

import streamlit as st

from agnews_core.artifacts import ArtifactError
from agnews_core.live_predict import DEFAULT_QUANTIZE, MAX_CHARS, TextError
from agnews_core.models import ModelLoadError
from agnews_ui import page_registry
from agnews_ui.charts import probability_figure
from agnews_ui.format import pct
from agnews_ui.pickers import pick_model
from agnews_ui.resources import predictor, sample_headlines

page_registry.ensure_app_navigation(__file__)

TEXT_KEY = "predict_text"
MAX_INPUT_CHARS = 100_000  # the text box refuses more; the model reads only the first MAX_CHARS anyway


st.title("Predict")
ref = pick_model()

sample = st.selectbox("Or pick a sample headline", ["", *sample_headlines()], key="predict_sample",
                      format_func=lambda t: t[:120] + ("…" if len(t) > 120 else "") if t else "(type your own)")
if sample and st.session_state.get("predict_last_sample") != sample:
    st.session_state[TEXT_KEY] = sample
st.session_state["predict_last_sample"] = sample

with st.form("predict"):
    text = st.text_area("Text", key=TEXT_KEY, height=120, max_chars=MAX_INPUT_CHARS,
                        placeholder="Paste a headline or a short article, e.g. 'Oil prices jump as supply fears grow'")
    submitted = st.form_submit_button("Classify", type="primary", icon=":material/bolt:")

if submitted:
    try:
        model = predictor(ref.sweep_id, ref.run_id, DEFAULT_QUANTIZE)
        result = model.predict(text)
    except TextError as exc:
        st.warning(str(exc), icon=":material/edit:")
        st.stop()
    except (ArtifactError, ModelLoadError, ValueError) as exc:
        st.error(f"This model cannot be used: {exc}")
        st.stop()
    left, right = st.columns([1, 2])
    left.metric("Label", result.label)
    left.metric("Confidence", pct(result.confidence))
    left.metric("Latency", f"{result.latency_ms:.1f} ms",
                help="Tokenizing and one forward pass on this machine's CPU, model already loaded.")
    left.caption("int8 CPU model" if model.quantized else "full-precision model")
    right.plotly_chart(probability_figure(result.probabilities, result.label_id), key="probabilities")
    if result.truncated:
        st.info(f"The text was cut to its first {MAX_CHARS:,} characters; the model reads about 128 tokens.",
                icon=":material/content_cut:")
