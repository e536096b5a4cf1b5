"""The artifacts root: $AGNEWS_ARTIFACTS, else artifacts/ next to app.py."""

from __future__ import annotations

from agnews_core.config.artifacts_root import APP_ROOT, ROOT_ENV, default_root


def test_root_from_the_environment_or_next_to_the_app(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(ROOT_ENV, raising=False)
    assert default_root() == APP_ROOT / "artifacts" and (APP_ROOT / "app.py").is_file()
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    assert default_root() == tmp_path
