"""Loading data folders and the bundled sample, validation of their columns and labels, and the splits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.sources import DataError, available_sizes, load_source, make_splits
from agnews_core.labels import NUM_LABELS


def _rows(prefix: str, per_label: int) -> pd.DataFrame:
    """Balanced rows whose texts name their file, label and row, so every row can be traced back."""
    return pd.DataFrame(
        [{"text": f"{prefix} label{label} row{i} headline", "label": label}
         for label in range(NUM_LABELS) for i in range(per_label)]
    )


@pytest.fixture
def parquet_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "parquet-data"
    folder.mkdir()
    _rows("trainfile", 25).to_parquet(folder / "train_subset_v2.parquet", index=False)  # any train* name works
    _rows("testfile", 10).to_parquet(folder / "test.parquet", index=False)
    return folder


@pytest.fixture
def csv_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "csv-data"
    folder.mkdir()
    _rows("trainfile", 20).assign(extra="ignored").to_csv(folder / "train.csv", index=False)
    _rows("testfile", 5).to_csv(folder / "test.csv", index=False)
    return folder


def _config(**overrides: object) -> SweepConfig:
    values = dict(model="tiny", data="sample", train_size=40, eval_size=12, test_size=20, seed=7)
    values.update(overrides)
    return SweepConfig(**values)


def test_loads_a_parquet_folder_with_train_prefixed_names(parquet_folder: Path) -> None:
    source = load_source(str(parquet_folder))
    assert len(source.train) == 100 and len(source.test) == 40
    assert list(source.train.columns) == ["text", "label"]
    assert source.train["label"].dtype == "int64"
    assert source.train["text"].str.startswith("trainfile").all()
    assert "100 train / 40 test rows" in source.description


def test_loads_a_csv_folder_and_drops_extra_columns(csv_folder: Path) -> None:
    source = load_source(str(csv_folder))
    assert (len(source.train), len(source.test)) == (80, 20)
    assert list(source.train.columns) == ["text", "label"]
    assert sorted(source.test["label"].unique()) == [0, 1, 2, 3]


def test_parquet_is_preferred_over_csv(parquet_folder: Path) -> None:
    _rows("csvfile", 1).to_csv(parquet_folder / "train.csv", index=False)
    assert load_source(str(parquet_folder)).train["text"].str.startswith("trainfile").all()


def test_loads_the_bundled_sample() -> None:
    source = load_source("sample")
    assert len(source.train) > 1000 and len(source.test) > 400
    assert set(source.train["label"]) == set(range(NUM_LABELS))
    assert source.train["text"].str.strip().ne("").all()
    assert "bundled AG News sample" in source.description


def test_loaded_tables_are_copies() -> None:
    first = load_source("sample")
    first.train.loc[0, "text"] = "changed by a caller"
    assert load_source("sample").train.loc[0, "text"] != "changed by a caller"


@pytest.mark.parametrize("missing", ["text", "label"])
def test_missing_column_is_named(tmp_path: Path, missing: str) -> None:
    _rows("trainfile", 3).rename(columns={missing: "other"}).to_csv(tmp_path / "train.csv", index=False)
    _rows("testfile", 3).to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(DataError, match=f"has no '{missing}' column") as info:
        load_source(str(tmp_path))
    assert "train.csv" in str(info.value) and "other" in str(info.value)


@pytest.mark.parametrize(("other_label", "names"), [
    (4, ("0", "1", "2", "3", "4")), (-1, ("-1", "0", "1", "2", "3")), ("World", ("0", "1", "2", "3", "World"))])
def test_labels_other_than_ag_news_ids_are_named_by_their_values(tmp_path: Path, other_label: object,
                                                                   names: tuple[str, ...]) -> None:
    train = _rows("trainfile", 3).astype({"label": object})
    train.loc[2, "label"] = other_label
    train.to_csv(tmp_path / "train.csv", index=False)
    _rows("testfile", 3).to_csv(tmp_path / "test.csv", index=False)
    source = load_source(str(tmp_path))
    assert source.labels.names == names
    assert source.labels.name(int(source.train.loc[2, "label"])) == str(other_label)
    assert source.labels.name(int(source.test.loc[0, "label"])) == "0"


def test_a_folder_of_string_labels_loads_with_their_names(tmp_path: Path) -> None:
    rows = pd.DataFrame({"text": [f"text {i}" for i in range(30)], "label": ["politics", "football", "markets"] * 10})
    rows.to_csv(tmp_path / "train.csv", index=False)
    rows.head(6).to_csv(tmp_path / "test.csv", index=False)
    source = load_source(str(tmp_path))
    assert source.labels.names == ("football", "markets", "politics")
    assert source.labels.name(int(source.train.loc[0, "label"])) == "politics"


def test_a_folder_with_one_label_is_refused(tmp_path: Path) -> None:
    pd.DataFrame({"text": ["a", "b"], "label": ["x", "x"]}).to_csv(tmp_path / "train.csv", index=False)
    pd.DataFrame({"text": ["c"], "label": ["x"]}).to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(DataError, match="one class"):
        load_source(str(tmp_path))


def test_folder_without_a_test_file(tmp_path: Path) -> None:
    _rows("trainfile", 3).to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(DataError, match=r"no test\*\.parquet or test\*\.csv file"):
        load_source(str(tmp_path))


def test_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not 'auto', 'hub', 'sample', an existing folder or a registered data set"):
        load_source(str(tmp_path / "nowhere"))


def test_corrupt_file_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "train.parquet").write_bytes(b"not a parquet file")
    _rows("testfile", 3).to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(DataError, match="could not read"):
        load_source(str(tmp_path))


def test_split_sizes_and_class_balance() -> None:
    splits = make_splits(load_source("sample"), _config(train_size=400, eval_size=100, test_size=120))
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (400, 100, 120)
    for frame in (splits.train, splits.validation, splits.test):
        counts = frame["label"].value_counts()
        assert set(counts.index) == set(range(NUM_LABELS))
        assert counts.max() - counts.min() <= 1  # the sample is balanced, so stratified parts are too
    assert not set(splits.train["text"]) & set(splits.validation["text"])


def test_splits_are_reproducible_per_seed() -> None:
    source = load_source("sample")
    first = make_splits(source, _config(seed=7))
    again = make_splits(source, _config(seed=7))
    other = make_splits(source, _config(seed=8))
    for split in ("train", "validation", "test"):
        pd.testing.assert_frame_equal(getattr(first, split), getattr(again, split))
        assert getattr(first, split)["text"].tolist() != getattr(other, split)["text"].tolist()


def test_test_rows_come_only_from_the_test_file(parquet_folder: Path) -> None:
    splits = make_splits(load_source(str(parquet_folder)), _config(train_size=40, eval_size=12, test_size=20))
    assert splits.test["text"].str.startswith("testfile").all()
    assert splits.train["text"].str.startswith("trainfile").all()
    assert splits.validation["text"].str.startswith("trainfile").all()


@pytest.mark.parametrize(("field", "what", "available"), [("train_size", "train", 80), ("eval_size", "eval", 20),
                                                         ("test_size", "test", 40)])
def test_size_larger_than_the_data_names_the_available_count(parquet_folder: Path, field: str, what: str,
                                                             available: int) -> None:
    source = load_source(str(parquet_folder))
    assert available_sizes(source)[what] == available
    with pytest.raises(DataError, match=f"{what} size {available + 1:,} is larger than the {available:,} rows available"):
        make_splits(source, _config(**{field: available + 1}))


@pytest.mark.parametrize("margin", [0, 1, 3])
def test_sizes_up_to_the_available_count_work(parquet_folder: Path, margin: int) -> None:
    source = load_source(str(parquet_folder))
    sizes = available_sizes(source)
    splits = make_splits(source, _config(train_size=sizes["train"] - margin, eval_size=sizes["eval"] - margin,
                                         test_size=sizes["test"] - margin))
    assert len(splits.train) == sizes["train"] - margin
    assert len(splits.validation) == sizes["eval"] - margin
    assert len(splits.test) == sizes["test"] - margin
