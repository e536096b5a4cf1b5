"""Predict page: classify a text with a saved run or the untrained model; empty, huge and HTML-like text."""

from __future__ import annotations

import json
import threading

import pytest

from agnews_core.labels import LABELS
from agnews_core.serving import warmup
from agnews_core.serving.predictor import DEFAULT_VARIANT, MAX_CHARS
from agnews_core.serving.tfidf_demo import NAME as TFIDF_NAME
from agnews_core.sweeps.executors.thread import THREAD
from agnews_core.sweeps.quick_demo import quick_demo_config
from agnews_ui import resources
from agnews_ui.predict_view import QUICK_DEMO_BUTTON

from .conftest import button, metrics, values

PREDICT = "pages/predict.py"
EMPTY = "This text is empty: type a headline or pick a sample."


def classify(at, text: str):
    """Type a text, press Classify and rerun."""
    at.text_area(key="predict_text").input(text)
    button(at, "Classify").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_with_no_runs_the_tfidf_demo_answers(open_page) -> None:
    at = open_page(PREDICT)
    assert any(m.startswith("No fine-tuned model yet: answers come from the TF-IDF demo.") for m in values(at.info))
    at = classify(at, "Stocks rally as Wall Street cheers strong earnings")
    assert [h.value for h in at.subheader] == ["TF-IDF demo"]
    assert TFIDF_NAME in values(at.caption)
    assert metrics(at)["Label"] == "Business"
    assert len(at.get("plotly_chart")) == 1


def test_the_quick_demo_button_queues_the_quick_demo_sweep(open_page) -> None:
    at = open_page(PREDICT)
    manager = resources.job_manager()
    manager.executors[THREAD] = WaitForCancel()  # queue it for real; never train MiniLM in a page test
    button(at, QUICK_DEMO_BUTTON).click().run()
    assert not at.exception, [e.value for e in at.exception]
    sweeps, _ = manager.sweeps()
    assert [s.config for s in sweeps] == [quick_demo_config()]
    assert sweeps[0].config.label == "quick demo model"
    assert not [b for b in at.button if b.label == QUICK_DEMO_BUTTON]  # no second one while it is queued or running
    assert any("It becomes the default model here when it is done." in m for m in values(at.info))


def test_a_fine_tuned_run_answers_beside_the_tfidf_demo(open_page, finished) -> None:
    at = classify(open_page(PREDICT), "NASA launches a new Mars rover")
    assert [h.value for h in at.subheader] == ["Fine-tuned model", "TF-IDF demo", "Why this label?"]
    captions = values(at.caption)
    assert any(c.startswith(f"{finished.best_run_id} · sweep {finished.sweep_id} · ") for c in captions)
    assert TFIDF_NAME in captions
    assert [m.label for m in at.metric] == ["Label", "Confidence", "Latency", "Calibrated confidence",
                                            "Label", "Confidence", "Latency"]
    assert all(m.value in LABELS for m in at.metric if m.label == "Label")
    charts = [json.loads(c.proto.spec)["data"][0] for c in at.get("plotly_chart")[:2]]  # then "Why this label?"
    assert len(charts) == 2 and all(abs(sum(c["y"]) - 100) < 0.01 for c in charts)
    assert not [b for b in at.button if b.label == QUICK_DEMO_BUTTON]


@pytest.mark.parametrize("chosen", ["onnx-int8", "int8"])
def test_the_answer_names_the_variant_chosen_for_the_run(open_page, finished, artifacts, chosen) -> None:
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.store.variant_record import CandidateResult, InferenceVariant, VariantChoice

    store = ArtifactStore(artifacts)
    run = store.load_run(finished.sweep_id, finished.best_run_id)
    choice = VariantChoice(InferenceVariant(chosen), (CandidateResult(InferenceVariant.FP32, 9.0, 0.5),
                                                      CandidateResult(InferenceVariant(chosen), 3.0, 0.5)), 40, 8)
    store.save_run(finished.sweep_id, run.with_changes(inference_variant=choice))
    captions = values(classify(open_page(PREDICT), "NASA launches a new Mars rover").caption)
    expected = "int8 CPU model" if chosen == "int8" else f"{chosen} model"
    assert f"{finished.best_run_id} · sweep {finished.sweep_id} · {expected}" in captions


def test_the_page_renders_while_the_model_still_loads(open_page, finished, monkeypatch) -> None:
    release = threading.Event()
    real_loader = warmup.model_loader

    def slow_loader(*args):
        load = real_loader(*args)
        return lambda: release.wait(60) and load()

    monkeypatch.setattr(warmup, "LOADER", warmup.BackgroundLoader())
    monkeypatch.setattr(warmup, "model_loader", slow_loader)
    try:
        at = open_page(PREDICT)  # returns although the model cannot finish loading yet
        key = warmup.model_key(resources.store().root, finished.sweep_id, finished.best_run_id, DEFAULT_VARIANT)
        assert not warmup.LOADER.is_ready(key)
        assert at.text_area(key="predict_text") is not None and button(at, "Classify")
        empty = classify(at, "  ")  # an empty text is answered without waiting for the model either
        assert values(empty.warning) == [EMPTY]
    finally:
        release.set()
    at = classify(at, "Oil prices jump as supply fears grow")
    assert [h.value for h in at.subheader] == ["Fine-tuned model", "TF-IDF demo", "Why this label?"]
    assert warmup.LOADER.is_ready(key)


class WaitForCancel:
    """A sweep executor that keeps the sweep running until it is cancelled (the manager's stop() cancels it)."""

    def run(self, sweep_id, publish, cancel) -> None:
        cancel.wait(120)


def test_models_list_best_run_first_and_the_untrained_baseline_last(open_page, finished) -> None:
    at = open_page(PREDICT)
    options = at.selectbox[0].options
    assert len(options) == len(finished.run_ids) + 1
    assert options[0].startswith(f"{finished.best_run_id} (best)")
    assert options[-1].startswith("untrained tiny (baseline)")


def test_a_headline_gets_a_label_and_probabilities(open_page, finished) -> None:
    at = classify(open_page(PREDICT), "Oil prices jump as supply fears grow")
    shown = metrics(at)
    assert shown["Label"] in LABELS
    assert shown["Confidence"].endswith("%")
    assert shown["Latency"].endswith(" ms")
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert bars["x"] == list(LABELS)
    assert abs(sum(bars["y"]) - 100) < 0.01
    assert not at.warning


@pytest.mark.parametrize("text", ["", "   \n\t  "], ids=["empty", "whitespace"])
def test_empty_text_is_a_warning_not_a_prediction(open_page, finished, text) -> None:
    at = classify(open_page(PREDICT), text)
    assert values(at.warning) == [EMPTY]
    assert "Label" not in metrics(at)


def test_very_long_text_is_truncated_with_a_note(open_page, finished) -> None:
    text = "Stocks rally as markets cheer earnings. " * 2_500
    assert len(text) == 100_000  # the most the text box accepts
    at = classify(open_page(PREDICT), text)
    assert metrics(at)["Label"] in LABELS
    assert values(at.info) == [f"The text was cut to its first {MAX_CHARS:,} characters; the model reads about 128 tokens."]


def test_html_is_classified_as_plain_text(open_page, finished) -> None:
    at = classify(open_page(PREDICT), "<script>alert(1)</script>")
    assert metrics(at)["Label"] in LABELS
    assert not at.get("html")
    assert not any("<script>" in m for m in values(at.markdown))


def test_untrained_model_can_be_used(open_page, finished) -> None:
    at = open_page(PREDICT)
    model = at.selectbox[0]
    model.select_index(len(model.options) - 1).run()
    at = classify(at, "Stocks rally on Wall Street")
    assert metrics(at)["Label"] in LABELS
    assert not at.error


def test_a_sample_headline_fills_the_text_box(open_page, finished) -> None:
    at = open_page(PREDICT)
    sample = at.selectbox(key="predict_sample")
    headline = sample.options[1]
    sample.select_index(1).run()
    assert at.text_area(key="predict_text").value.startswith(headline.rstrip("…"))
    button(at, "Classify").click().run()
    assert metrics(at)["Label"] in LABELS


def test_a_model_that_cannot_load_leaves_the_tfidf_answer_and_says_why(open_page, finished, artifacts) -> None:
    weights = next(artifacts.rglob(f"{finished.best_run_id}/**/model.safetensors"))
    weights.write_bytes(b"not a safetensors file")
    at = classify(open_page(PREDICT), "Oil prices jump as supply fears grow")
    assert [h.value for h in at.subheader] == ["TF-IDF demo"]
    assert metrics(at)["Label"] in LABELS
    (error,) = values(at.error)
    assert error.startswith("This model cannot be used: ")


def test_the_demo_follows_a_registered_data_set_and_answers_with_its_labels(open_page, artifacts) -> None:
    from dataset_fixtures import TICKETS

    from agnews_core.data.columns import ColumnMapping
    from agnews_core.data.drafts import DraftOptions, draft_from_tables
    from agnews_core.data.readers import read_path
    from agnews_core.data.registry import DatasetRegistry

    draft = draft_from_tables(read_path(TICKETS), None, DraftOptions("tickets", ColumnMapping(("body",), "topic")))
    DatasetRegistry(artifacts).register(draft, drop=False)
    at = open_page("pages/predict.py")
    at.selectbox(key="predict_demo_data").select("tickets-v1").run()
    samples = at.selectbox(key="predict_sample").options
    assert len(samples) == 7 and any("ticket" in s for s in samples[1:])  # 2 per label of 3, after '(type your own)'
    assert any("data set tickets-v1" in m for m in values(at.info))  # the quick demo would train on it
    at = classify(at, "the server is down with a timeout error")
    assert metrics(at)["Label"] == "outage"
    assert any("fitted on tickets-v1" in c for c in values(at.caption))
