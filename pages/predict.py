"""Predict: classify a headline with a saved run (or the untrained model) beside the TF-IDF demo."""

import streamlit as st

from agnews_core.modeling.models import ModelLoadError
from agnews_core.serving.predictor import DEFAULT_VARIANT, MAX_CHARS, TextError, clean_text
from agnews_core.store.artifact_store import ArtifactError
from agnews_ui import page_registry
from agnews_ui.attribution_view import why_this_label
from agnews_ui.calibration_view import calibrated_confidence, run_temperature
from agnews_ui.format import pct
from agnews_ui.pickers import pick_model
from agnews_ui.predict_view import pick_demo_data, quick_demo_offer, show_answer
from agnews_ui.resources import predictor, sample_headlines, store, tfidf_demo, warm_up

page_registry.ensure_app_navigation(__file__)

TEXT_KEY = "predict_text"
COUNT_KEY = "predict_answers"  # numbers each answer's container, so a browser can tell a new answer from the last
MAX_INPUT_CHARS = 100_000  # the text box refuses more; the model reads only the first MAX_CHARS anyway


st.title("Predict")
ref = pick_model()
# Both loads run in background threads while the user types: Classify waits only for what is still loading.
warm_up(ref.sweep_id if ref else None, ref.run_id if ref else None, DEFAULT_VARIANT)
demo_data = pick_demo_data(store(), ref)
if ref is None:
    quick_demo_offer(demo_data)

sample = st.selectbox("Or pick a sample text", ["", *sample_headlines(demo_data)], key="predict_sample",
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
        cleaned = clean_text(text)  # before any model: an empty text is answered at once
        demo_model = tfidf_demo(demo_data)
        demo = demo_model.predict(text)
    except TextError as exc:
        st.warning(str(exc), icon=":material/edit:")
        st.stop()
    st.session_state[COUNT_KEY] = st.session_state.get(COUNT_KEY, 0) + 1
    answer = st.session_state[COUNT_KEY]
    model = result = None
    with st.container(key=f"predict_answer_{answer}"):
        if ref is None:
            show_answer("TF-IDF demo", demo_model.name, demo, "probabilities_tfidf")
        else:
            tuned, baseline = st.columns(2)
            with baseline:  # drawn first: while the fine-tuned model still loads, TF-IDF has answered already
                show_answer("TF-IDF demo", demo_model.name, demo, "probabilities_tfidf")
            with tuned, st.container(key=f"predict_tuned_{answer}"):
                try:
                    model = predictor(ref.sweep_id, ref.run_id, DEFAULT_VARIANT,
                                      waiting="Loading the fine-tuned model… (TF-IDF has answered meanwhile)")
                    result = model.predict(text)
                except (ArtifactError, ModelLoadError, ValueError, TextError) as exc:
                    st.error(f"This model cannot be used: {exc}")
                    model = None
                else:
                    variant = "int8 CPU model" if model.variant == "int8" else f"{model.variant} model"
                    show_answer("Fine-tuned model", f"{'untrained baseline' if ref.is_untrained else ref.run_id} · "
                                f"sweep {ref.sweep_id} · {variant}", result, "probabilities")
                    temperature = None if ref.is_untrained else run_temperature(ref.sweep_id, ref.run_id)
                    if temperature is not None:
                        calibrated = calibrated_confidence(result.probabilities, result.label_id, temperature)
                        st.metric("Calibrated confidence", pct(calibrated),
                                  help=f"After temperature scaling (T = {temperature:.2f}, fitted on this run's "
                                       "validation rows): closer to how often such predictions are right. "
                                       "'Confidence' and the chart show the model's own probabilities.")
        if cleaned.truncated:
            st.info(f"The text was cut to its first {MAX_CHARS:,} characters; the model reads about 128 tokens.",
                    icon=":material/content_cut:")
    if model is not None and result is not None:
        st.subheader("Why this label?")
        why_this_label(model, (ref.sweep_id, ref.run_id, DEFAULT_VARIANT), text, result.label_id, key="why-predict")
