"""text_key: one stable key per text, blind to Unicode normal form and surrounding whitespace."""

from __future__ import annotations

import unicodedata

from agnews_core.text_keys import KEY_LENGTH, text_key, text_keys


def test_key_is_short_hex_and_stable_across_calls() -> None:
    key = text_key("Stocks rally as oil falls")
    assert len(key) == KEY_LENGTH and int(key, 16) >= 0
    assert key == text_key("Stocks rally as oil falls")
    # pinned (sha256 of the UTF-8 text): a change of the hash would orphan every stored verdict
    assert key == "97258b7aaf028397"


def test_normal_form_and_outer_whitespace_do_not_matter() -> None:
    composed = "Caf\u00e9 owners protest"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert text_key(composed) == text_key(decomposed) == text_key(f"  {composed}\n")


def test_different_texts_get_different_keys() -> None:
    assert text_key("Stocks rally") != text_key("Stocks  rally")
    assert text_key("a") != text_key("A")
    assert text_keys(["x", "y", "x"]) == [text_key("x"), text_key("y"), text_key("x")]
