"""First answer after opening Predict, in headless Chromium: background warm-up on vs off (AGNEWS_WARMUP=0).

Each measurement starts a fresh `streamlit run app.py` (cold process) on a free loopback port with a temporary
artifacts folder, then either opens Predict directly (deep link: the warm-up starts with that very page) or opens
Home first and clicks Predict in the sidebar as `make run` users do. The clock starts when Predict shows its
Classify button (a headline typed, Classify clicked at once) and reads twice: when the first answer is drawn (the
TF-IDF demo's, drawn first) and when the fine-tuned model's answer is drawn beside it.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from bench.common import emit_json, median, print_table, ratio
from bench.served_app import SCRIPT_IDLE_JS, chromium, prepare_artifacts, served_app

TARGET_SECONDS = 1.0
TIMEOUT_MS = 180_000
HEADLINE = "Oil prices jump as supply fears grow"


def one_measure(browser, artifacts: Path, warmup: bool, route: str, has_model: bool) -> tuple[float, float, float]:
    """Seconds from server health to Predict shown, from Predict shown to the first answer shown (TF-IDF's, drawn
    first), and to the fine-tuned model's answer (the first answer again when there is no fine-tuned model)."""
    with served_app(artifacts, warmup=warmup) as url:
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
    """Fresh servers per measurement; medians per (artifacts, route, warm-up)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=1, help="measurements per setting (default 1)")
    parser.add_argument("--with-run", default=None, metavar="DIR",
                        help="also measure with the sweeps of this artifacts folder (e.g. a saved MiniLM run)")
    parser.add_argument("--tiny", action="store_true", help="also measure with one saved tiny run")
    parser.add_argument("--routes", default="home,deep", help="home (Home, then Predict), deep (/predict), or both")
    args = parser.parse_args()
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
            for route in args.routes.split(","):
                timings: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
                has_model = folder.name != "fresh"
                for _ in range(args.repeats):
                    for warmup in (False, True):  # alternate, so both see the same machine load
                        timings[warmup].append(one_measure(browser, folder, warmup, route, has_model))
                        print(f"{setup}, {route}, warm-up {'on' if warmup else 'off'}: Predict shown -> first answer "
                              f"{timings[warmup][-1][1]:.2f} s, fine-tuned answer {timings[warmup][-1][2]:.2f} s",
                              flush=True)
                off, on = (median([t[1] for t in timings[w]]) for w in (False, True))
                tuned_off, tuned_on = (median([t[2] for t in timings[w]]) for w in (False, True))
                rows.append((setup, route, median([t[0] for t in timings[True]]), off, on, ratio(off, on),
                             tuned_off if has_model else "-", tuned_on if has_model else "-"))
                results.append({"setup": setup, "route": route, "warmup_off_seconds": round(off, 3),
                                "warmup_on_seconds": round(on, 3), "speedup": ratio(off, on),
                                "fine_tuned_off_seconds": round(tuned_off, 3) if has_model else None,
                                "fine_tuned_on_seconds": round(tuned_on, 3) if has_model else None,
                                "met": on <= TARGET_SECONDS})
    print_table(f"Predict shown -> first answer shown, median of {args.repeats} (seconds)",
                ["artifacts", "route", "health->Predict shown", "first answer, warm-up off", "warm-up on", "off/on",
                 "fine-tuned answer, warm-up off", "warm-up on"], rows)
    emit_json("first_answer", repeats=args.repeats, target_seconds=TARGET_SECONDS, results=results)


if __name__ == "__main__":
    main()
