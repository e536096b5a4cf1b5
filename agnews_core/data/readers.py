"""Read a user's table file (CSV, TSV, JSON Lines, parquet) into a frame of strings, with clear refusals.

Every column comes back as text (missing cells as None) so labels like "007" or "3" keep what was typed;
columns.py decides later whether labels are numbers. Encodings: UTF-8 with or without BOM, and UTF-16 with
a BOM, load; anything else is refused with its likely name and the command that converts it.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
ACCEPTED = "CSV, TSV, JSON Lines or parquet"


class TableReadError(ValueError):
    """A file that cannot be read as a table; the message says why and what to do."""


@dataclass(frozen=True)
class ReadTable:
    """A table read from one file: its string columns and how it was read."""

    frame: pd.DataFrame
    file_name: str
    file_format: str
    encoding: str  # 'utf-8', 'utf-8-sig', 'utf-16' or 'binary' (parquet)
    sha256: str  # of the file's bytes


def file_format(file_name: str) -> str:
    """'csv', 'tsv', 'jsonl' or 'parquet' from the file name; TableReadError for anything else."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in FORMATS:
        raise TableReadError(f"{file_name}: {suffix or 'no extension'} is not a format this app reads "
                             f"({ACCEPTED}: .csv, .tsv, .jsonl, .parquet)")
    return FORMATS[suffix]


def read_table(content: bytes, file_name: str) -> ReadTable:
    """Parse a file's bytes; TableReadError saying what is wrong (format, encoding, no rows)."""
    kind = file_format(file_name)
    if not content.strip():
        raise TableReadError(f"{file_name} is empty")
    if kind == "parquet":
        frame, encoding = _read_parquet(content, file_name), "binary"
    else:
        text, encoding = decode(content, file_name)
        if kind == "jsonl":
            frame = _read_jsonl(text, file_name)
        else:
            source = _parser_input(content, text, encoding)
            del text  # a million-row file's text is hundreds of MB: not kept while the parser runs
            frame = _read_delimited(source, file_name, kind)
    if frame.empty or len(frame.columns) == 0:
        raise TableReadError(f"{file_name} has no rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    return ReadTable(_as_strings(frame), file_name, kind, encoding, hashlib.sha256(content).hexdigest())


def read_path(path: Path) -> ReadTable:
    """read_table on a file on disk; TableReadError when it is missing or unreadable."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise TableReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return read_table(content, Path(path).name)


def decode(content: bytes, file_name: str) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (BOM or not) or UTF-16 with a BOM; else TableReadError naming the encoding."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        guess = _likely_encoding(content)
        raise TableReadError(
            f"{file_name} is not UTF-8 (byte {content[exc.start]:#04x} at position {exc.start:,}); it looks like "
            f"{guess}. Save it as UTF-8 (in a spreadsheet: 'CSV UTF-8'), or convert it with "
            f"`iconv -f {_ICONV.get(guess, 'CP1252')} -t UTF-8 {file_name} > utf8-{file_name}`") from None


_ICONV = {"Windows-1252 (Western European)": "CP1252", "Latin-1 (ISO-8859-1)": "ISO-8859-1",
          "Shift_JIS (Japanese)": "SHIFT_JIS", "GB18030 (Chinese)": "GB18030"}


def _likely_encoding(content: bytes) -> str:
    """Best guess at a non-UTF-8 encoding, only to name it in the message: accented Latin letters read as
    Windows-1252 are the usual case; otherwise a CJK codec that decodes the bytes to mostly CJK text."""
    sample = content[:200_000]
    try:
        western = sample.decode("cp1252")
        high = [ch for ch in western if ord(ch) > 127]
        if high and sum(ch.isalpha() for ch in high) >= 0.8 * len(high):
            return "Windows-1252 (Western European)"
    except UnicodeDecodeError:
        pass
    for name, codec in (("Shift_JIS (Japanese)", "shift_jis"), ("GB18030 (Chinese)", "gb18030")):
        try:
            decoded = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        high = [ch for ch in decoded if ord(ch) > 127]
        if high and sum(ord(ch) >= 0x3000 for ch in high) >= 0.8 * len(high):
            return name
    return "Latin-1 (ISO-8859-1)"


def _parser_input(content: bytes, text: str, encoding: str) -> io.BytesIO | io.StringIO:
    """UTF-8 as its checked bytes (BOM cut): io.StringIO would hold the text at 4 bytes a character, 1 GB more for
    a 250 MB file (bench/dataset_scale.py); UTF-16 as the decoded text."""
    if encoding == "utf-8-sig":
        return io.BytesIO(content[len(codecs.BOM_UTF8):])
    return io.BytesIO(content) if encoding == "utf-8" else io.StringIO(text)


def _read_delimited(source: io.BytesIO | io.StringIO, file_name: str, kind: str) -> pd.DataFrame:
    separator = "\t" if kind == "tsv" else ","
    try:
        # The C parser handles quoted newlines and CRLF; every cell stays a string, empty cells are missing.
        return pd.read_csv(source, sep=separator, dtype=str, keep_default_na=False, na_values=[""],
                           skip_blank_lines=True, engine="c", encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise TableReadError(f"{file_name} is not a readable {kind.upper()} file: {_first_line(exc)}") from None


def _read_jsonl(text: str, file_name: str) -> pd.DataFrame:
    stripped = text.lstrip()
    if stripped.startswith("["):  # a JSON array of objects is accepted too
        try:
            return pd.DataFrame.from_records(json.loads(stripped))
        except (ValueError, TypeError) as exc:
            raise TableReadError(f"{file_name} is not a JSON array of objects: {_first_line(exc)}") from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise TableReadError(f"{file_name} line {number:,} is not JSON: {_first_line(exc)}") from None
        if not isinstance(record, dict):
            raise TableReadError(f"{file_name} line {number:,} is not a JSON object (one object per line)")
        records.append(record)
    return pd.DataFrame.from_records(records)


def _read_parquet(content: bytes, file_name: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(content))
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        raise TableReadError(f"{file_name} is not a readable parquet file: {_first_line(exc)}") from None


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as Python strings or None; integral floats (3.0) written as integers (3)."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
            out[column] = series.where(series.notna(), None)  # CSV cells: already strings (NaN when empty)
            continue
        if pd.api.types.is_float_dtype(series) and series.dropna().eq(series.dropna().round()).all():
            series = series.astype("Int64")
        text = series.astype("string")
        out[column] = text.astype(object).where(text.notna(), None)
    return pd.DataFrame(out)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
