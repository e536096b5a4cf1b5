"""Hostile or mistaken input gets a clear message or a correct answer, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from support.served_app import served_app

from agnews_core.cli import main as cli
from agnews_core.labels import LABELS

from .conftest import CHILD_ENV, REPO_ROOT, child_env, copy_store, open_page, page_messages, texts

FIFTY_RATES = ",".join(f"{i}e-5" for i in range(1, 51))
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def bad_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Data folders that cannot be trained on: no text column, no label column, one class only."""
    root = tmp_path_factory.mktemp("bad-data")
    good = pd.DataFrame({"text": [f"headline number {i}" for i in range(40)], "label": [i % 4 for i in range(40)]})
    folders = {
        "no_text": good.rename(columns={"text": "title"}),
        "no_label": good.rename(columns={"label": "class"}),
        "one_class": good.assign(label=["x"] * 40),
    }
    paths = {}
    for name, frame in folders.items():
        folder = root / name
        folder.mkdir()
        if name == "no_label":  # CSV files are accepted as well as parquet
            frame.to_csv(folder / "train.csv", index=False)
            frame.to_csv(folder / "test.csv", index=False)
        else:
            frame.to_parquet(folder / "train.parquet")
            frame.to_parquet(folder / "test.parquet")
        paths[name] = folder
    paths["missing"] = root / "no-such-folder"
    return paths


# (form field changes, CLI flags, words the message must contain); sizes go with the bundled sample.
CASES = {
    "lr not a number": ({"lrs": "abc"}, ["--lrs", "abc"], "'abc' is not a number"),
    "lr empty item": ({"lrs": "1e-4,,"}, ["--lrs", "1e-4,,"], "empty item"),
    "lr zero": ({"lrs": "0"}, ["--lrs", "0"], "must be > 0"),
    "lr negative": ({"lrs": "-1"}, ["--lrs", "-1"], "must be > 0"),
    "lr nan": ({"lrs": "nan"}, ["--lrs", "nan"], "not a finite number"),
    "lr inf": ({"lrs": "inf"}, ["--lrs", "inf"], "not a finite number"),
    "fifty lrs": ({"lrs": FIFTY_RATES}, ["--lrs", FIFTY_RATES], "at most 12"),
    "train size zero": ({"Train rows": 0}, ["--train-size", "0"], "at least 1|between 1 and"),
    "train size negative": ({"Train rows": -5}, ["--train-size", "-5"], "at least 1|between 1 and"),
    "train size too large": ({"Train rows": 200_000}, ["--train-size", "200000"], "8,000"),
    "eval size too large": ({"Validation rows": 99_999}, ["--eval-size", "99999"], "2,000"),
    "test size too large": ({"Test rows": 99_999}, ["--test-size", "99999"], "7,600"),
    "unknown model": ({"model": "someone/not-a-model"}, ["--model", "someone/not-a-model"], "not-a-model.*unreachable"),
    "no text column": ({"data": "no_text"}, ["--data", "no_text"], "has no 'text' column"),
    "no label column": ({"data": "no_label"}, ["--data", "no_label"], "has no 'label' column"),
    "one class only": ({"data": "one_class"}, ["--data", "one_class"], "one class"),
    "missing data folder": ({"data": "missing"}, ["--data", "missing"],
                            "not 'auto', 'hub', 'sample', an existing folder or a registered data set"),
}


def _fill(at, changes: dict, data: dict[str, Path]) -> None:
    inputs = {w.label: w for w in at.text_input}
    selects = {w.label: w for w in at.selectbox}
    numbers = {w.label: w for w in at.number_input}
    selects["Model"].set_value("tiny")
    selects["Data"].set_value("sample")
    for label, value in (("Train rows", 32), ("Validation rows", 16), ("Test rows", 16)):
        numbers[label].set_value(value)
    for field, value in changes.items():
        if field == "lrs":
            inputs["Learning rates"].set_value(value)
        elif field == "model":
            selects["Model"].set_value("other")
            inputs["Other model"].set_value(value)
        elif field == "data":
            selects["Data"].set_value("folder")
            inputs["Data folder"].set_value(str(data[value]))
        else:
            numbers[field].set_value(value)
    next(b for b in at.button if b.label == "Start sweep").click()
    at.run()


# A browser cannot send a number below a number_input's minimum (AppTest can, and Streamlit then falls back to
# the default): sizes below 1 are checked on the widgets' bounds and on the form validation instead.
BELOW_ONE = ("train size zero", "train size negative")


@pytest.mark.parametrize("case", [c for c in CASES if c not in BELOW_ONE])
def test_the_sweep_form_answers_bad_input_with_a_message(case: str, bad_data, app_root) -> None:
    changes, _, expected = CASES[case]
    at = open_page("pages/sweep.py")
    _fill(at, changes, bad_data)
    assert not at.exception, at.exception
    messages = " ".join(texts(at.error))
    assert re.search(expected, messages), f"{expected!r} not in {messages!r}"
    assert "Fix the fields marked above" in messages
    from agnews_ui.resources import job_manager

    assert job_manager().jobs()[0] == []  # nothing was queued


@pytest.mark.parametrize("size", [0, -5])
def test_the_sweep_form_refuses_sizes_below_one(size: int, app_root) -> None:
    from agnews_core.sweeps.request import validate_request

    at = open_page("pages/sweep.py")
    bounds = {w.label: w.min for w in at.number_input}
    assert bounds["Train rows"] == bounds["Validation rows"] == bounds["Test rows"] == 1
    for field in ("train_size", "eval_size", "test_size"):
        sizes = {"train_size": 32, "eval_size": 16, "test_size": 16, field: size}
        result = validate_request({"learning_rates": "1e-3", "model": "tiny", "data": "sample", **sizes})
        assert result.config is None
        assert re.search(rf"{field.replace('_', ' ').capitalize()} must be between 1 and [\d,]+, got {size}",
                         " ".join(result.errors.values()))


def _cli(argv: list[str], data: dict[str, Path], tmp_path: Path) -> list[str]:
    return ["sweep", "--model", "tiny", "--data", "sample", "--train-size", "32", "--eval-size", "16",
            "--test-size", "16", *[str(data.get(a, a)) for a in argv], "--artifacts", str(tmp_path / "artifacts")]


@pytest.mark.parametrize("case", CASES)
def test_the_cli_answers_bad_input_with_one_line_and_exit_code_2(case: str, bad_data, tmp_path, capsys) -> None:
    _, argv, expected = CASES[case]
    with pytest.raises(SystemExit) as exited:
        cli.main(_cli(argv, bad_data, tmp_path))
    out, err = capsys.readouterr()
    assert exited.value.code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert re.search(expected, err), f"{expected!r} not in {err!r}"
    assert not (tmp_path / "artifacts").exists()


@pytest.mark.parametrize("case", ["lr not a number", "one class only"])
def test_the_cli_process_exits_2_with_one_line(case: str, bad_data, tmp_path) -> None:
    _, argv, expected = CASES[case]
    done = subprocess.run([sys.executable, "-m", "agnews_core", *_cli(argv, bad_data, tmp_path)], cwd=REPO_ROOT,
                          env=child_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert re.search(expected, done.stderr)


HOSTILE_TEXTS = {
    "emoji": "📈🚀 Stocks soar as chipmaker beats forecasts 🚀",
    "right to left": "ارتفاع أسعار النفط بسبب مخاوف بشأن الإمدادات — עליית מחירי הנפט",
    "control characters": "Oil\x00 prices\x07 jump\x1b[31m as supply\u200b fears grow\r\n",
    "script tag": SCRIPT,
    "image tag": IMAGE,
    "100,000 characters": "Markets rally on strong earnings. " * 2_941 + "x" * 6,
}
EMPTY_TEXTS = {"empty": "", "whitespace": "  \n\t  \u3000 ", "only control characters": "\x00\x01\x02\x7f"}


def test_the_predict_page_answers_every_text_with_a_label_or_a_message(finished_sweep, app_root, tmp_path) -> None:
    store, record = finished_sweep
    app_root(copy_store(store.root, tmp_path / "artifacts"))
    at = open_page("pages/predict.py")
    assert not at.exception
    for name, text in {**EMPTY_TEXTS, **HOSTILE_TEXTS}.items():
        at.text_area(key="predict_text").set_value(text)
        next(b for b in at.button if b.label == "Classify").click()
        at.run()
        assert not at.exception, (name, at.exception)
        if name in EMPTY_TEXTS:
            assert "This text is empty" in " ".join(texts(at.warning)), name
            assert not at.metric, name
            continue
        labels = [m.value for m in at.metric if m.label == "Label"]  # the fine-tuned run's, then the TF-IDF demo's
        assert len(labels) == 2 and set(labels) <= set(LABELS), name
        truncated = "cut to its first 5,000 characters" in page_messages(at)
        assert truncated == (len(text) > 5_000), name
    assert len(HOSTILE_TEXTS["100,000 characters"]) == 100_000


def test_no_page_renders_html() -> None:
    """Texts from data and users are never rendered as HTML: no unsafe_allow_html, st.html or components."""
    offenders = []
    for path in [REPO_ROOT / "app.py", *sorted((REPO_ROOT / "pages").glob("*.py")),
                 *sorted((REPO_ROOT / "agnews_ui").glob("*.py"))]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"unsafe_allow_html|\bst\.html\(|components\.v1|components\.html", line):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def _plant_payloads(root: Path, sweep_id: str, run_id: str) -> None:
    """The two HTML payloads as texts of misclassified test rows, and one as the sweep's name."""
    sweep_json = root / "sweeps" / sweep_id / "sweep.json"
    sweep = json.loads(sweep_json.read_text())
    sweep["config"]["label"] = IMAGE
    sweep_json.write_text(json.dumps(sweep))
    path = root / "sweeps" / sweep_id / "runs" / run_id / "predictions.parquet"
    frame = pd.read_parquet(path)
    wrong = frame.index[(frame["split"] == "test") & (frame["label"] != frame["predicted"])]
    assert len(wrong) >= 2, "the tiny model should get some test rows wrong"
    frame.loc[wrong[0], "text"], frame.loc[wrong[1], "text"] = SCRIPT, IMAGE
    frame.to_parquet(path, index=False)


@pytest.mark.browser
def test_html_payloads_are_shown_as_text_in_the_browser(finished_sweep, tmp_path, browser) -> None:
    store, record = finished_sweep
    root = copy_store(store.root, tmp_path / "artifacts")
    _plant_payloads(root, record.sweep_id, record.best_run_id)
    with served_app({**CHILD_ENV, "AGNEWS_ARTIFACTS": str(root)}, log=tmp_path / "server.log") as server:
        base = server.url
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        for payload in (SCRIPT, IMAGE):
            page.goto(f"{base}/predict", wait_until="domcontentloaded")  # a fresh page: no result from before
            box = page.locator("textarea").first
            box.wait_for(timeout=90_000)
            box.fill(payload)
            page.get_by_role("button", name="Classify").click()
            page.get_by_text("Confidence").first.wait_for(timeout=90_000)
            assert box.input_value() == payload

        page.goto(f"{base}/errors?sweep={record.sweep_id}&run={record.best_run_id}", wait_until="domcontentloaded")
        search = page.get_by_label("Search text")
        search.wait_for(timeout=90_000)
        search.fill("alert(1)")
        search.press("Enter")
        page.get_by_text(re.compile(r"^2 misclassified rows")).first.wait_for(timeout=60_000)

        page.goto(f"{base}/results?sweep={record.sweep_id}", wait_until="domcontentloaded")
        page.get_by_text("Sweep name:").first.wait_for(timeout=90_000)
        assert f"Sweep name: {IMAGE}" in page.inner_text("body")  # the name is shown as text, not as an image
        page.wait_for_timeout(500)

        assert dialogs == []
        injected = page.evaluate("""() => ({
            images: document.querySelectorAll('img[src="x"], [onerror]').length,
            scripts: [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length,
        })""")
        assert injected == {"images": 0, "scripts": 0}
