"""First answer after opening Predict, in headless Chromium: a fresh server with and without the TF-IDF demo saved in
its artifacts folder (and, with --conditions, background warm-up on vs off: AGNEWS_WARMUP=0).

Each measurement starts a fresh `streamlit run app.py` (cold process) on a free loopback port with a temporary
artifacts folder, then either opens Predict directly (deep link: the warm-up starts with that very page) or opens
Home first and clicks Predict in the sidebar as `make run` users do. The clock starts when Predict shows its
Classify button (a headline typed, Classify clicked at once) and reads twice: when the first answer is drawn (the
TF-IDF demo's, drawn first) and when the fine-tuned model's answer is drawn beside it. Without a saved demo the
folder's cache/tfidf-demo/ is deleted before the server starts, so that server fits the demo (and saves it);
with one, the demo was saved beforehand, so the server loads it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import emit_json, median, print_table, ratio
from bench.served_app import SCRIPT_IDLE_JS, chromium, prepare_artifacts, served_app

TARGET_SECONDS = 1.0
TIMEOUT_MS = 180_000
HEADLINE = "Oil prices jump as supply fears grow"


@dataclass(frozen=True)
class Condition:
    """How a fresh server starts: background warm-up on or off, the TF-IDF demo saved beforehand or not."""

    name: str
    warmup: bool
    saved_demo: bool


CONDITIONS = {c.name: c for c in (Condition("fit", True, False), Condition("saved", True, True),
                                  Condition("fit-no-warmup", False, False), Condition("saved-no-warmup", False, True))}


def set_saved_demo(artifacts: Path, saved: bool) -> None:
    """Save the sample's TF-IDF demo in artifacts (once), or delete every saved demo there."""
    from agnews_core.serving.tfidf_demo import TfidfPredictor
    from agnews_core.store.layout import CACHE_DIR, TFIDF_DEMO_DIR

    if saved:
        TfidfPredictor.saved_or_fit("sample", artifacts)  # loads, or fits and saves when none is there
    else:
        shutil.rmtree(artifacts / CACHE_DIR / TFIDF_DEMO_DIR, ignore_errors=True)


def one_measure(browser, artifacts: Path, condition: Condition, route: str,
                has_model: bool) -> tuple[float, float, float]:
    """Seconds from server health to Predict shown, from Predict shown to the first answer shown (TF-IDF's, drawn
    first), and to the fine-tuned model's answer (the first answer again when there is no fine-tuned model)."""
    set_saved_demo(artifacts, condition.saved_demo)
    with served_app(artifacts, warmup=condition.warmup) as url:
        started = time.perf_counter()
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        try:
            if route == "home":
                page.goto(url)
                page.wait_for_function(SCRIPT_IDLE_JS)
                page.get_by_test_id("stSidebarNav").get_by_role("link", name="Predict", exact=True).click()
                page.wait_for_url(re.compile(r"/predict"))
            else:
                page.goto(f"{url}/predict")
            page.get_by_role("heading", level=1, name="Predict", exact=True).wait_for()
            page.get_by_role("button", name="Classify").wait_for()
            shown = time.perf_counter()
            page.get_by_role("textbox", name="Text", exact=True).fill(HEADLINE)
            page.get_by_role("button", name="Classify").click()
            page.locator(".st-key-predict_answer_1 [data-testid='stMetricValue']").first.wait_for()
            answered = time.perf_counter()
            if has_model:
                page.locator(".st-key-predict_tuned_1 [data-testid='stMetricValue']").first.wait_for()
            tuned = time.perf_counter()
        finally:
            page.close()
    return shown - started, answered - shown, tuned - shown


def main() -> None:
    """Fresh servers per measurement; medians per (artifacts, route, condition); ratios against the first condition."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=1, help="measurements per setting (default 1)")
    parser.add_argument("--with-run", default=None, metavar="DIR",
                        help="also measure with the sweeps of this artifacts folder (e.g. a saved MiniLM run)")
    parser.add_argument("--tiny", action="store_true", help="also measure with one saved tiny run")
    parser.add_argument("--routes", default="home,deep", help="home (Home, then Predict), deep (/predict), or both")
    parser.add_argument("--conditions", default="fit,saved",
                        help=f"comma-separated, the first is the baseline of the ratios: {', '.join(CONDITIONS)}")
    args = parser.parse_args()
    conditions = [CONDITIONS[name] for name in args.conditions.split(",")]
    rows, results = [], []
    with tempfile.TemporaryDirectory(prefix="agnews-first-answer-") as tmp, chromium() as browser:
        setups = [prepare_artifacts(Path(tmp) / "fresh", None, False)]
        folders = [Path(tmp) / "fresh"]
        if args.tiny:
            setups.append(prepare_artifacts(Path(tmp) / "tiny", None, True))
            folders.append(Path(tmp) / "tiny")
        if args.with_run:
            setups.append(prepare_artifacts(Path(tmp) / "saved", args.with_run, False))
            folders.append(Path(tmp) / "saved")
        for setup, folder in zip(setups, folders, strict=True):
            has_model = folder.name != "fresh"
            for route in args.routes.split(","):
                timings: dict[str, list[tuple[float, float, float]]] = {c.name: [] for c in conditions}
                for _ in range(args.repeats):
                    for condition in conditions:  # alternate, so every condition sees the same machine load
                        timings[condition.name].append(one_measure(browser, folder, condition, route, has_model))
                        shown, first, tuned = timings[condition.name][-1]
                        print(f"{setup}, {route}, {condition.name}: Predict shown -> first answer {first:.2f} s, "
                              f"fine-tuned answer {tuned:.2f} s", flush=True)
                first = {name: median([t[1] for t in found]) for name, found in timings.items()}
                tuned = {name: median([t[2] for t in found]) for name, found in timings.items()}
                base = conditions[0].name
                for condition in conditions:
                    name = condition.name
                    rows.append((setup, route, name, median([t[0] for t in timings[name]]), first[name],
                                 ratio(first[base], first[name]), tuned[name] if has_model else "-"))
                    results.append({"setup": setup, "route": route, "condition": name,
                                    "first_answer_seconds": round(first[name], 3),
                                    f"speedup_vs_{base}": ratio(first[base], first[name]),
                                    "fine_tuned_seconds": round(tuned[name], 3) if has_model else None,
                                    "met": first[name] <= TARGET_SECONDS})
    print_table(f"Predict shown -> first answer shown, median of {args.repeats} (seconds)",
                ["artifacts", "route", "condition", "health->Predict shown", "first answer",
                 f"{conditions[0].name}/this", "fine-tuned answer"], rows)
    emit_json("first_answer", repeats=args.repeats, target_seconds=TARGET_SECONDS, results=results)


if __name__ == "__main__":
    main()
