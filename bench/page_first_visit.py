"""First visit to a page on a warm server: Home drawn, then a click on the page's sidebar link, timed in Chromium.

Each repeat starts a fresh `streamlit run app.py` (empty artifacts folder) per page, so every page pays its own
first-visit imports and cached resources while Home's background warm-up (TF-IDF fit, Predict's default model)
runs, as it would for a user. The baseline is Results, timed in the same repeats, the order alternating.
Times from the click: the page's h1 title visible; for Sweep also its Jobs heading (the jobs list under the form);
the script run finished. The servers are stopped at the end, failures included.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import emit_json, median, print_table, ratio
from bench.served_app import SCRIPT_IDLE_JS, chromium, prepare_artifacts, served_app

TARGET_SECONDS = 2.0  # Sweep's title
TIMEOUT_MS = 120_000
PAGES = ("Sweep", "Results")  # the page measured, then the baseline
MARKS = ("title", "jobs", "finished")


def first_visit(browser, artifacts: Path, title: str) -> dict[str, float]:
    """Seconds from clicking title's link, on a fresh server with Home drawn, to each mark the page has."""
    with served_app(artifacts) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(url)
            page.locator("h1", has_text="AG News Lab").wait_for()
            page.wait_for_function(SCRIPT_IDLE_JS)
            link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
            started = time.perf_counter()
            link.click()
            page.locator("h1", has_text=title).first.wait_for()
            seconds = {"title": time.perf_counter() - started}
            if title == "Sweep":
                page.locator("h3", has_text="Jobs").first.wait_for()
                seconds["jobs"] = time.perf_counter() - started
            page.wait_for_function(SCRIPT_IDLE_JS)
            seconds["finished"] = time.perf_counter() - started
            return seconds
        finally:
            context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="fresh servers per page (default 5)")
    parser.add_argument("--tiny", action="store_true",
                        help="serve one saved tiny run (Home's warm-up then also loads a model); else a fresh install")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {title: [] for title in PAGES}
    with tempfile.TemporaryDirectory(prefix="agnews-first-visit-") as tmp, chromium() as browser:
        for repeat in range(args.repeats):
            for title in PAGES if repeat % 2 == 0 else PAGES[::-1]:
                folder = Path(tmp) / f"{title.lower()}-{repeat}"
                setup = prepare_artifacts(folder, None, args.tiny)
                runs[title].append(first_visit(browser, folder, title))
    medians = {(title, mark): median([r[mark] for r in runs[title]]) for title in PAGES for mark in MARKS
               if mark in runs[title][0]}
    rows = [(title, mark, " ".join(f"{r[mark]:.2f}" for r in runs[title]), value)
            for (title, mark), value in medians.items()]
    print_table(f"Home drawn -> click -> page drawn, {setup}, a fresh server each (seconds)",
                ["page", "mark", "each repeat", "median"], rows)
    sweep, results = medians[("Sweep", "title")], medians[("Results", "title")]
    print(f"\ntitle: Sweep {sweep:.2f} s, Results {results:.2f} s, Sweep/Results {ratio(sweep, results)} "
          f"(target Sweep <= {TARGET_SECONDS} s: {'met' if sweep <= TARGET_SECONDS else 'NOT met'}); finished: "
          f"Sweep/Results {ratio(medians[('Sweep', 'finished')], medians[('Results', 'finished')])}")
    emit_json("page_first_visit", setup=setup, repeats=args.repeats, sweep_title_seconds=sweep,
              results_title_seconds=results, sweep_jobs_seconds=medians[("Sweep", "jobs")],
              sweep_finished_seconds=medians[("Sweep", "finished")],
              results_finished_seconds=medians[("Results", "finished")], ratio=ratio(sweep, results),
              target_seconds=TARGET_SECONDS, met=sweep <= TARGET_SECONDS)


if __name__ == "__main__":
    main()
