"""Reading users' files: formats, encodings, CRLF and quoted newlines, and clear refusals."""

from __future__ import annotations

import codecs

import pandas as pd
import pytest
from dataset_fixtures import MESSY, TICKETS

from agnews_core.data.readers import TableReadError, read_path, read_table


def test_a_csv_with_bom_crlf_and_quoted_newlines_reads_every_row_as_strings() -> None:
    table = read_path(MESSY)
    assert table.encoding == "utf-8-sig" and table.file_format == "csv" and list(table.frame.columns) == ["text", "label"]
    texts = table.frame["text"].tolist()
    assert "line one\nline two, quoted" in texts and any(isinstance(t, str) and len(t) >= 150_000 for t in texts)
    assert table.frame["label"].isna().sum() == 1 and table.frame["text"].isna().sum() == 1  # '' missing, '   ' kept
    assert len(table.sha256) == 64


def test_json_lines_tsv_and_parquet_read_to_the_same_strings(tmp_path) -> None:
    frame = pd.DataFrame({"text": ["a b", "c d"], "label": [3, 1]})
    frame.to_parquet(tmp_path / "f.parquet")
    parquet = read_table((tmp_path / "f.parquet").read_bytes(), "f.parquet").frame
    tsv = read_table(b"text\tlabel\na b\t3\nc d\t1\n", "f.tsv").frame
    jsonl = read_table(b'{"text": "a b", "label": 3}\n\n{"text": "c d", "label": 1}\n', "f.jsonl").frame
    for read in (parquet, tsv, jsonl):
        assert read.to_dict("list") == {"text": ["a b", "c d"], "label": ["3", "1"]}
    assert read_path(TICKETS).frame.columns.tolist() == ["id", "body", "topic"]


def test_utf8_bytes_keep_every_character_and_drop_the_bom() -> None:
    for prefix in (b"", codecs.BOM_UTF8):
        table = read_table(prefix + "text,label\r\nnaïve ✓\u3000café,Sci/Tech\r\n".encode(), "f.csv")
        assert table.frame.to_dict("list") == {"text": ["naïve ✓\u3000café"], "label": ["Sci/Tech"]}


def test_utf16_with_a_bom_loads() -> None:
    content = codecs.BOM_UTF16_LE + "text,label\nnaïve café,x\n".encode("utf-16-le")
    assert read_table(content, "f.csv").frame["text"].tolist() == ["naïve café"]


@pytest.mark.parametrize(("content", "name", "says"), [
    ("text,label\ncafé crème,x\n".encode("cp1252"), "f.csv", "Windows-1252"),
    ("テキスト,ラベル\n日本語の文章です,政治\n".encode("shift_jis") * 3, "f.csv", "Shift_JIS"),
    (b"", "f.csv", "is empty"),
    (b"text,label\n", "f.csv", "has no rows"),
    (b"a,b\n1,2\n", "f.xlsx", "not a format this app reads"),
    (b'{"text": "a"}\nnot json\n', "f.jsonl", "line 2 is not JSON"),
    (b"PAR1 broken", "f.parquet", "not a readable parquet file"),
])
def test_unreadable_files_are_refused_with_what_to_do(content: bytes, name: str, says: str) -> None:
    with pytest.raises(TableReadError, match=says) as caught:
        read_table(content, name)
    if "UTF-8" in str(caught.value):
        assert "iconv" in str(caught.value)


def test_a_missing_file_is_a_message(tmp_path) -> None:
    with pytest.raises(TableReadError, match="cannot read"):
        read_path(tmp_path / "nope.csv")
