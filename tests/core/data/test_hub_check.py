"""The Hub reachability probe respects offline mode and caches its answer."""

from __future__ import annotations

import socket

import pytest

from agnews_core.data import hub_check as hub


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub, "_last", None)


@pytest.mark.parametrize("name", ["HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"])
def test_offline_mode_never_probes(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv(name, "1")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("offline mode must not open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    assert hub.offline_mode() and not hub.hub_is_reachable()


def test_probe_answer_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    calls: list[object] = []

    def refuse(address: object, timeout: float) -> None:
        calls.append(address)
        raise OSError("no route")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert not hub.offline_mode()
    assert hub.hub_is_reachable(timeout=0.1) is False
    assert hub.hub_is_reachable(timeout=0.1) is False
    assert calls == [hub.HUB_HOST]
