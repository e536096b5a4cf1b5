"""One stable key per text, so verdicts and suspects find the same row in any copy of the data."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

KEY_LENGTH = 16  # hex chars = 64 bits: no collision expected below about 4 billion distinct texts


def text_key(text: str) -> str:
    """First 16 hex chars of sha256 over the NFC-normalised, whitespace-stripped text."""
    normalised = unicodedata.normalize("NFC", str(text)).strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def text_keys(texts: Iterable[str]) -> list[str]:
    """text_key of each text, in order."""
    return [text_key(text) for text in texts]
