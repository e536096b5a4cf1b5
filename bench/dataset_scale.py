"""Data sets at scale: register a 1,000,000-row CSV; the Errors and Data pages' work on a large run and data set.

    .venv/bin/python -m bench.dataset_scale [--rows 1000000] [--test-rows 200000] [--repeats 3] [--skip-register]

Registration: AG News train rows (../shared/data/ag_news/train_subset.parquet beside the repository;
AGNEWS_BENCH_DATA overrides) repeated to --rows with a counter appended to each text, so every row is distinct,
written as a CSV (text, label with the names World/Sports/Business/Sci/Tech) into a temporary folder (not timed).
Each repeat is a fresh subprocess that times read_table, draft_from_tables (health check included) and
DatasetRegistry.register (the write), and reports its peak RSS (VmHWM): that of the registration alone.
Target: at most 90 s and 4 GB.

Pages: a synthetic predictions frame shaped like a run's (batch_predict.predictions_frame: split, text, label,
predicted, confidence, p_<label>) with --test-rows test rows; the Errors page's work per interaction
(error_filters.filter_predictions, page_of, readable_table of one page, and the CSV its download button holds)
for several filters; the filter+search+sort step by pandas, pyarrow compute and DuckDB (when importable; it is
not a dependency); the Data page's work on the registered data set (manifests, stored report, examples per
class; the first visit's summary, which st.cache_data then keeps). Target: each interaction within 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import DATA_DIR, REPO_ROOT, emit_json, median, print_table, timed

LABEL_NAMES = ("World", "Sports", "Business", "Sci/Tech")  # AG News ids 0..3, as a user's file would name them
REGISTER_SECONDS, REGISTER_GB, INTERACTION_SECONDS = 90.0, 4.0, 1.5
PAGE_SIZE = 25  # the Errors page's default rows per page


def peak_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_csv(path: Path, rows: int) -> None:
    """rows AG News train rows, repeated in order, each text with ' #<n>' appended; labels by name."""
    source = pd.read_parquet(DATA_DIR / "train_subset.parquet")
    picks = np.arange(rows) % len(source)
    texts = source["text"].to_numpy()[picks]
    labels = np.asarray(LABEL_NAMES, dtype=object)[source["label"].to_numpy()[picks]]
    pd.DataFrame({"text": [f"{t} #{i}" for i, t in enumerate(texts)], "label": labels}).to_csv(path, index=False)


def register_once(csv: Path, root: Path) -> dict[str, float]:
    """Read, draft and register csv under root in this process: seconds and peak MB after each step."""
    from agnews_core.data.columns import ColumnMapping
    from agnews_core.data.drafts import DraftOptions, draft_from_tables
    from agnews_core.data.readers import read_path
    from agnews_core.data.registry import DatasetRegistry

    numbers = {"start_mb": peak_mb()}
    numbers["read_s"], table = timed(lambda: read_path(csv))
    numbers["read_peak_mb"] = peak_mb()
    options = DraftOptions("scale", ColumnMapping(("text",), "label"))
    numbers["draft_s"], draft = timed(lambda: draft_from_tables(table, None, options))
    numbers["draft_peak_mb"] = peak_mb()
    numbers["register_s"], (manifest, created) = timed(lambda: DatasetRegistry(root).register(draft, drop=False))
    numbers["peak_mb"] = peak_mb()
    numbers["total_s"] = numbers["read_s"] + numbers["draft_s"] + numbers["register_s"]
    if not created:
        raise SystemExit("the data set was already registered: the registry folder must be fresh")
    return {**numbers, "train_rows": manifest.rows["train"], "test_rows": manifest.rows["test"]}


def measure_registration(csv: Path, roots: Path, repeats: int) -> tuple[list[dict[str, float]], Path]:
    """register_once in a fresh subprocess per repeat; the numbers and the artifacts root of the last one."""
    results, root = [], roots
    for repeat in range(repeats):
        root = roots / f"artifacts-{repeat}"
        done = subprocess.run([sys.executable, "-m", "bench.dataset_scale", "--child", str(csv), str(root)],
                              cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"registration failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  repeat {repeat + 1}: {results[-1]['total_s']:.1f} s, {results[-1]['peak_mb']:,.0f} MB peak "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
    return results, root


def synthetic_predictions(rows: int, seed: int = 0) -> pd.DataFrame:
    """A run's predictions frame with rows test rows: AG News texts (numbered), about 88 % predicted right."""
    from agnews_core.labels import AG_NEWS
    from agnews_core.modeling.batch_predict import PredictionTable, predictions_frame

    source = pd.concat([pd.read_parquet(DATA_DIR / "test.parquet"), pd.read_parquet(DATA_DIR / "train_subset.parquet")])
    picks = np.arange(rows) % len(source)
    texts = [f"{t} #{i}" for i, t in enumerate(source["text"].to_numpy()[picks])]
    labels = source["label"].to_numpy()[picks]
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(rows, AG_NEWS.size))
    logits[np.arange(rows), labels] += 2.5  # the true class usually wins, not always
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return predictions_frame(texts, labels, PredictionTable(probabilities.astype("float32"), 1.0), "test", AG_NEWS)


def errors_scenarios() -> dict[str, object]:
    """The filters a user sets on the Errors page, one interaction each."""
    from agnews_core.analysis.error_filters import ErrorFilter

    return {
        "errors, any labels (the default)": ErrorFilter(),
        "true Business, predicted Sci/Tech": ErrorFilter(true_label=2, predicted_label=3),
        "search 'oil' in errors": ErrorFilter(query="oil"),
        "search 'oil', every row": ErrorFilter(query="oil", only_errors=False),
        "least confident first": ErrorFilter(most_confident_first=False),
        "every row, no filter": ErrorFilter(only_errors=False),
    }


def errors_interaction(frame: pd.DataFrame, chosen: object) -> dict[str, float]:
    """Seconds of one Errors page rerun's work: filter, one page's table, the download's CSV."""
    from agnews_core.analysis.error_filters import filter_predictions, page_of, readable_table
    from agnews_ui.label_review_view import with_review_columns

    numbers: dict[str, float] = {}
    numbers["filter_s"], matches = timed(lambda: filter_predictions(frame, chosen))
    numbers["count_s"], _ = timed(lambda: int((frame["split"] == "test").sum()))
    numbers["page_s"], _ = timed(lambda: with_review_columns(readable_table(page_of(matches, 1, PAGE_SIZE)[0]),
                                                             page_of(matches, 1, PAGE_SIZE)[0], {}))
    numbers["download_s"], _ = timed(lambda: with_review_columns(readable_table(matches), matches, {})
                                     .to_csv(index=False).encode("utf-8"))
    numbers["total_s"] = sum(numbers.values())
    numbers["deferred_s"] = numbers["total_s"] - numbers["download_s"]  # the CSV made only when clicked
    numbers["matches"] = len(matches)
    return numbers


def arrow_filter(table: object, chosen: object, to_pandas: bool) -> object:
    """filter_predictions with pyarrow compute on an Arrow table (built once, as a cache would keep it)."""
    import pyarrow.compute as pc

    mask = pc.equal(table["split"], chosen.split)
    if chosen.only_errors:
        mask = pc.and_(mask, pc.not_equal(table["label"], table["predicted"]))
    if chosen.true_label is not None:
        mask = pc.and_(mask, pc.equal(table["label"], chosen.true_label))
    if chosen.predicted_label is not None:
        mask = pc.and_(mask, pc.equal(table["predicted"], chosen.predicted_label))
    if chosen.query.strip():
        mask = pc.and_(mask, pc.match_substring(table["text"], chosen.query.strip(), ignore_case=True))
    rows = table.filter(mask)
    order = "descending" if chosen.most_confident_first else "ascending"
    rows = rows.take(pc.sort_indices(rows, [("confidence", order)]))  # a stable sort, as pandas' kind="stable"
    return rows.to_pandas() if to_pandas else rows


def duckdb_filter(connection: object, chosen: object) -> pd.DataFrame:
    """filter_predictions as one DuckDB query over the registered Arrow table (position breaks ties: stable)."""
    where, values = ["split = ?"], [chosen.split]
    if chosen.only_errors:
        where.append("label <> predicted")
    for column, value in (("label", chosen.true_label), ("predicted", chosen.predicted_label)):
        if value is not None:
            where.append(f"{column} = ?")
            values.append(value)
    if chosen.query.strip():
        where.append("contains(lower(text), lower(?))")
        values.append(chosen.query.strip())
    order = "DESC" if chosen.most_confident_first else "ASC"
    sql = f"SELECT * FROM predictions WHERE {' AND '.join(where)} ORDER BY confidence {order}, position"
    return connection.execute(sql, values).df()


def compare_engines(frame: pd.DataFrame, repeats: int) -> list[tuple]:
    """Median seconds of the filter+search+sort step per engine and scenario, and whether the rows agree."""
    import pyarrow as pa

    from agnews_core.analysis.error_filters import filter_predictions

    build_s, table = timed(lambda: pa.Table.from_pandas(frame.assign(position=np.arange(len(frame))),
                                                        preserve_index=False))
    print(f"  Arrow table built once in {build_s:.2f} s", flush=True)
    connection = None
    try:
        import duckdb

        connection = duckdb.connect()
        connection.execute("SET threads TO 2")
        connection.register("predictions", table)
    except ImportError:
        print("  duckdb is not installed: its column stays empty", flush=True)
    rows = []
    for name, chosen in errors_scenarios().items():
        expected = filter_predictions(frame, chosen).index.to_numpy()
        engines = {"pandas": lambda c=chosen: filter_predictions(frame, c),
                   "pyarrow": lambda c=chosen: arrow_filter(table, c, to_pandas=False),
                   "pyarrow + to_pandas": lambda c=chosen: arrow_filter(table, c, to_pandas=True)}
        if connection is not None:
            engines["duckdb"] = lambda c=chosen: duckdb_filter(connection, c)
        seconds = {}
        agree = True
        for engine, run in engines.items():
            result = run()  # warm-up, and the rows to compare
            positions = result.index.to_numpy() if engine == "pandas" else np.asarray(result["position"])
            agree &= np.array_equal(positions, expected)
            seconds[engine] = median([timed(run)[0] for _ in range(repeats)])
        rows.append((name, len(expected), *(seconds.get(e, float("nan")) for e in
                                            ("pandas", "pyarrow", "pyarrow + to_pandas", "duckdb")), agree))
    return rows


def data_page(root: Path, repeats: int) -> dict[str, float]:
    """Seconds of the Data page's work on the registered data set: each rerun, and the first visit's summary."""
    from agnews_core.data.health import TRAIN
    from agnews_core.data.registry import DatasetRegistry
    from agnews_ui.data_summary import (
        EXAMPLES_PER_CLASS,
        manifest_version,
        minilm_tokenizer,
        registered_summary,
        summarise,
    )
    from agnews_ui.data_view import manifest_details

    registry = DatasetRegistry(root)

    def rerun() -> object:
        manifest = registry.get(registry.manifests()[-1].id)
        manifest_details(manifest)
        return registered_summary(str(root), manifest.id, manifest_version(root, manifest.id))

    manifest = registry.manifests()[-1]
    numbers = {}
    numbers["manifest_and_report_s"] = median([timed(lambda: (registry.get(registry.manifests()[-1].id),
                                                              registry.report(manifest)))[0] for _ in range(repeats)])
    numbers["read_rows_s"], rows = timed(lambda: pd.concat([registry.rows(manifest, s).assign(split=s)
                                                            for s in ("train", "test")], ignore_index=True))
    names = manifest.label_names
    numbers["label_names_s"], _ = timed(lambda: rows.__setitem__("label", [names[int(i)] for i in rows["label"]]))
    train = rows[rows["split"] == TRAIN]
    numbers["examples_per_class_s"], _ = timed(lambda: train.groupby("label", sort=False).head(EXAMPLES_PER_CLASS))
    report = registry.report(manifest)
    numbers["tokenizer_load_s"], _ = timed(minilm_tokenizer)  # once per app process (st.cache_resource)
    numbers["summarise_s"], _ = timed(lambda: summarise(rows, report, names))  # incl. tokenizing 5,000 texts
    numbers["first_visit_s"], _ = timed(rerun)  # st.cache_data misses: the whole summary is computed
    numbers["rerun_s"] = median([timed(rerun)[0] for _ in range(repeats)])  # the cache answers
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the CSV to register")
    parser.add_argument("--test-rows", type=int, default=200_000, help="test rows of the synthetic run")
    parser.add_argument("--repeats", type=int, default=3, help="registrations (each a fresh process); page repeats x3")
    parser.add_argument("--skip-register", action="store_true", help="only the pages (the Data page is then skipped)")
    parser.add_argument("--child", nargs=2, metavar=("CSV", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(register_once(Path(args.child[0]), Path(args.child[1]))), flush=True)
        return 0
    if not DATA_DIR.is_dir():
        print(f"no AG News folder at {DATA_DIR}; set AGNEWS_BENCH_DATA", file=sys.stderr)
        return 2
    from streamlit import logger as streamlit_logger

    streamlit_logger.set_log_level("error")  # no 'no runtime' warnings from the Data page's caches, called here
    loads = [os.getloadavg()[0]]
    summary: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        if not args.skip_register:
            csv = Path(scratch) / "scale.csv"
            write_csv(csv, args.rows)
            print(f"{args.rows:,}-row CSV: {csv.stat().st_size / 1e6:,.0f} MB; registering {args.repeats} times",
                  flush=True)
            results, root = measure_registration(csv, Path(scratch), args.repeats)
            loads.append(os.getloadavg()[0])
            print_table(f"Registration of {args.rows:,} rows (seconds; MB of peak RSS)",
                        ["repeat", "read", "draft + health", "register (write)", "total", "peak MB after read",
                         "after draft", "peak MB"],
                        [(i + 1, r["read_s"], r["draft_s"], r["register_s"], r["total_s"], r["read_peak_mb"],
                          r["draft_peak_mb"], r["peak_mb"]) for i, r in enumerate(results)])
            total, peak = median([r["total_s"] for r in results]), max(r["peak_mb"] for r in results)
            summary["register"] = {k: round(median([r[k] for r in results]), 2)
                                   for k in ("read_s", "draft_s", "register_s", "total_s")}
            summary["register"].update(peak_mb=round(peak), met=bool(total <= REGISTER_SECONDS and
                                                                     peak <= REGISTER_GB * 1024))
            page = data_page(root, args.repeats * 3)
            print_table("Data page on the registered data set (seconds)", ["step", "seconds"], list(page.items()))
            summary["data_page"] = {**{k: round(v, 3) for k, v in page.items()},
                                    "met": bool(page["rerun_s"] <= INTERACTION_SECONDS)}
        frame = synthetic_predictions(args.test_rows)
        errors = int((frame["label"] != frame["predicted"]).sum())
        print(f"\nSynthetic run: {len(frame):,} test rows, {errors:,} misclassified", flush=True)
        table = []
        for name, chosen in errors_scenarios().items():
            errors_interaction(frame, chosen)  # warm-up
            runs = [errors_interaction(frame, chosen) for _ in range(args.repeats * 3)]
            table.append((name, runs[0]["matches"], *(median([r[k] for r in runs]) for k in
                                                      ("filter_s", "count_s", "page_s", "download_s", "deferred_s",
                                                       "total_s"))))
        print_table("Errors page, one interaction (median seconds)",
                    ["filters", "rows", "filter+search+sort", "split count", "page table", "download CSV",
                     "total, CSV made on click", "total"], table)
        engines = compare_engines(frame, args.repeats * 3)
        print_table("Filter+search+sort by engine (median seconds; 'same rows': same rows in the same order)",
                    ["filters", "rows", "pandas", "pyarrow", "pyarrow + to_pandas", "duckdb", "same rows"], engines)
        loads.append(os.getloadavg()[0])
    worst, worst_deferred = max(row[-1] for row in table), max(row[-2] for row in table)
    summary["errors_page"] = {"worst_total_s": round(worst, 3), "met": bool(worst <= INTERACTION_SECONDS),
                              "worst_total_csv_on_click_s": round(worst_deferred, 3),
                              **{row[0]: [round(row[-2], 3), round(row[-1], 3)] for row in table}}
    summary["engines"] = {row[0]: {"pandas": round(row[2], 4), "pyarrow": round(row[3], 4),
                                   "pyarrow_to_pandas": round(row[4], 4), "duckdb": round(row[5], 4)}
                          for row in engines}
    emit_json("dataset_scale", rows=args.rows, test_rows=args.test_rows, repeats=args.repeats,
              load_seen=[round(x, 2) for x in loads], **summary,
              target=f"register <= {REGISTER_SECONDS:g} s and <= {REGISTER_GB:g} GB; each page interaction "
                     f"<= {INTERACTION_SECONDS:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
