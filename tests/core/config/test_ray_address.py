"""Ray addresses are parsed and checked as text, before anything connects."""

from __future__ import annotations

import pytest

from agnews_core.config.ray_address import host_port, validate_address


def test_accepted_forms_are_stripped_and_returned() -> None:
    for good in ("local", "auto", "127.0.0.1:6379", "ray://head.example:10001", "[::1]:6379"):
        assert validate_address(f" {good} ") == good


def test_other_forms_are_refused_with_the_accepted_ones() -> None:
    for bad in ("", "head", "head:port", "ray://head", "127.0.0.1:70000", "127.0.0.1:0"):
        with pytest.raises(ValueError, match="'local', 'auto', 'host:6379' or 'ray://host:10001'"):
            validate_address(bad)


def test_host_and_port_come_apart_for_every_form() -> None:
    assert host_port("ray://head.example:10001") == ("head.example", "10001")
    assert host_port("[::1]:6379") == ("::1", "6379")
    assert host_port("10.0.0.1:6379") == ("10.0.0.1", "6379")
