"""Concurrent Predict load: N browser sessions classifying at once against the real server, vs one session alone.

One `streamlit run app.py` on a loopback port with a temporary artifacts folder; one headless Chromium with a
separate context (its own Streamlit session) per user. Every session opens Predict and waits until its models are
warm (one classification, not counted); then all start together and each classifies `--per-session` headlines in
a bounded loop. Latency is Classify click -> that answer drawn. Errors: timeouts, exception boxes, tracebacks.
The server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import emit_json, median, percentile, print_table, ratio
from bench.served_app import CHROMIUM, CHROMIUM_ARGS, SCRIPT_IDLE_JS, prepare_artifacts, served_app

ANSWER_TIMEOUT_MS = 120_000
HEADLINES = ("Oil prices jump as supply fears grow", "Striker scores twice as City win the derby",
             "Chip maker unveils a faster laptop processor", "Leaders meet in Geneva for peace talks",
             "Stocks rally as Wall Street cheers earnings", "NASA probe sends new pictures of Saturn's rings")


async def classify(page, headline: str, answer_number: int) -> float:
    """Type, click Classify, wait for answer number answer_number; seconds from click to drawn."""
    await page.get_by_role("textbox", name="Text", exact=True).fill(headline)
    started = time.perf_counter()
    await page.get_by_role("button", name="Classify").click()
    await page.locator(f".st-key-predict_answer_{answer_number} [data-testid='stMetricValue']").first.wait_for(
        timeout=ANSWER_TIMEOUT_MS)
    return time.perf_counter() - started


async def session(browser, url: str, user: int, count: int, start: asyncio.Event, ready: list[int]) -> tuple[list[float], list[str]]:
    """One user's session: open Predict, one warm-up answer, then count timed answers after start is set."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(ANSWER_TIMEOUT_MS)
    latencies: list[float] = []
    errors: list[str] = []
    try:
        await page.goto(f"{url}/predict")
        await page.wait_for_function(SCRIPT_IDLE_JS)
        await classify(page, HEADLINES[user % len(HEADLINES)], 1)
        ready.append(user)
        await start.wait()
        for i in range(count):
            try:
                latencies.append(await classify(page, HEADLINES[(user + i + 1) % len(HEADLINES)], i + 2))
            except Exception as exc:  # noqa: BLE001 - counted as an error, the loop goes on
                errors.append(f"user {user} answer {i + 1}: {type(exc).__name__}")
        await page.wait_for_function(SCRIPT_IDLE_JS)
        if await page.get_by_test_id("stException").count() or "Traceback" in await page.locator("body").inner_text():
            errors.append(f"user {user}: an exception is shown")
    except Exception as exc:  # noqa: BLE001
        errors.append(f"user {user} could not start: {type(exc).__name__}: {exc}"[:300])
    finally:
        await context.close()
    return latencies, errors


async def load(url: str, users: int, count: int) -> tuple[list[float], list[str], float]:
    """(latencies, errors, wall seconds) of users sessions classifying count headlines each, all at once."""
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            start, ready = asyncio.Event(), []
            tasks = [asyncio.create_task(session(browser, url, u, count, start, ready)) for u in range(users)]
            while len(ready) < users and not all(t.done() for t in tasks):
                await asyncio.sleep(0.2)
            began = time.perf_counter()
            start.set()
            outcomes = await asyncio.gather(*tasks)
            wall = time.perf_counter() - began
        finally:
            await browser.close()
    return [x for o in outcomes for x in o[0]], [e for o in outcomes for e in o[1]], wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=8, help="browser sessions at once (default 8)")
    parser.add_argument("--per-session", type=int, default=10, help="classifications per session (default 10)")
    parser.add_argument("--with-run", default=None, metavar="DIR",
                        help="serve the sweeps of this artifacts folder (Predict's default: its latest saved run)")
    parser.add_argument("--tiny", action="store_true", help="serve one saved tiny run (else: a fresh install)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agnews-predict-load-") as tmp:
        folder = Path(tmp) / "artifacts"
        setup = prepare_artifacts(folder, args.with_run, args.tiny)
        with served_app(folder) as url:
            single, single_errors, _ = asyncio.run(load(url, 1, args.per_session))
            many, errors, wall = asyncio.run(load(url, args.users, args.per_session))
    errors += single_errors
    rows = [(f"1 session x {args.per_session}", len(single), median(single), percentile(single, 95), len(single_errors)),
            (f"{args.users} sessions x {args.per_session}", len(many), median(many), percentile(many, 95),
             len(errors) - len(single_errors))] if single and many else []
    print_table(f"Predict click -> answer drawn, {setup} (seconds)", ["load", "answers", "p50", "p95", "errors"], rows)
    for error in errors[:20]:
        print("error:", error)
    emit_json("predict_load", setup=setup, users=args.users, per_session=args.per_session, answers=len(many),
              p50_seconds=median(many) if many else None, p95_seconds=percentile(many, 95) if many else None,
              single_p50_seconds=median(single) if single else None,
              p50_ratio_vs_single=ratio(median(many), median(single)) if single and many else None,
              answers_per_second=round(len(many) / wall, 2) if wall else None, errors=len(errors), met=not errors)


if __name__ == "__main__":
    main()
