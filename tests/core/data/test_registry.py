"""Registered data sets: versioned, unchanged once written, never half-written, loadable by sweeps."""

from __future__ import annotations

import json

import pytest
from dataset_fixtures import MESSY, MESSY_TEST, TICKETS

from agnews_core.access.audit import AuditLog, Outcome
from agnews_core.access.guard import AccessRefused
from agnews_core.access.identity import Identity
from agnews_core.access.roles import Role
from agnews_core.data import registry as registry_module
from agnews_core.data.columns import ColumnMapping
from agnews_core.data.drafts import DataSetError, DraftOptions, draft_from_tables
from agnews_core.data.readers import read_path, read_table
from agnews_core.data.registry import DatasetRegistry, check_name, slug
from agnews_core.data.sources import DataError, load_source

BODY_TOPIC = ColumnMapping(("body",), "topic")


def _tickets(name: str = "tickets", **options: object):
    return draft_from_tables(read_path(TICKETS), None, DraftOptions(name, BODY_TOPIC, **options))


def test_register_writes_parquet_and_a_manifest_and_sweeps_load_it(tmp_path) -> None:
    registry = DatasetRegistry(tmp_path)
    manifest, created = registry.register(_tickets(), drop=False)
    assert created and manifest.id == "tickets-v1" and manifest.version == 1
    assert manifest.label_names == ("billing", "feature request", "outage")
    assert manifest.rows == {"train": 120, "test": 30} and manifest.class_rows["test"] == {
        "billing": 10, "feature request": 10, "outage": 10}
    stored = json.loads((tmp_path / "datasets" / "tickets-v1" / "manifest.json").read_text())
    assert stored["source_files"] == ["tickets.jsonl"] and len(stored["sha256"]) == 64
    assert stored["columns"] == {"text": ["body"], "label": "topic"} and stored["schema_version"] == 1
    source = load_source("tickets", tmp_path)
    assert source.dataset_id == "tickets-v1" and source.labels.names == manifest.label_names
    assert len(source.train) == 120 and set(source.train["label"]) == {0, 1, 2}
    assert source.train["text"].str.contains("ticket").all()


def test_the_same_file_twice_is_one_version_and_a_changed_file_is_the_next(tmp_path) -> None:
    registry = DatasetRegistry(tmp_path)
    first, _ = registry.register(_tickets(), drop=False)
    again, created = registry.register(_tickets(), drop=False)
    assert (again.id, created) == (first.id, False)
    changed = read_table(TICKETS.read_bytes() + b'{"id": 999, "body": "new invoice", "topic": "billing"}\n',
                         "tickets.jsonl")
    second, created = registry.register(draft_from_tables(changed, None, DraftOptions("tickets", BODY_TOPIC)),
                                        drop=False)
    assert created and second.id == "tickets-v2"
    assert registry.find("tickets").id == "tickets-v2" and registry.find("tickets-v1").id == "tickets-v1"
    assert [m.id for m in registry.latest()] == ["tickets-v2"]
    assert (tmp_path / "datasets" / "tickets-v1" / "train.parquet").stat().st_size > 0  # v1 is untouched


def test_problems_are_dropped_only_with_consent_and_recorded(tmp_path) -> None:
    registry = DatasetRegistry(tmp_path)
    draft = draft_from_tables(read_path(MESSY), read_path(MESSY_TEST), DraftOptions("messy", ColumnMapping(("text",), "label")))
    with pytest.raises(DataSetError, match="--drop-problems"):
        registry.register(draft, drop=False)
    assert not (tmp_path / "datasets").exists() or not any((tmp_path / "datasets").glob("messy*"))
    manifest, _ = registry.register(draft, drop=True)
    assert manifest.dropped == {"blank_text": 2, "missing_label": 1, "duplicate": 2}
    long_text = load_source(manifest.id, tmp_path).train["text"].str.len().max()
    assert long_text >= 150_000  # kept whole for display; the tokenizer truncates it for the model


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    registry = DatasetRegistry(tmp_path)

    def broken_manifest(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(registry_module, "_manifest", lambda *a, **k: broken_manifest())
    with pytest.raises(OSError):
        registry.register(_tickets(), drop=False)
    monkeypatch.undo()
    original_write = DatasetRegistry._write

    def write_then_fail(self, manifest, ready):
        monkeypatch.setattr(registry_module.pd.DataFrame, "to_parquet", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
        original_write(self, manifest, ready)

    monkeypatch.setattr(DatasetRegistry, "_write", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        registry.register(_tickets(), drop=False)
    assert [p.name for p in (tmp_path / "datasets").iterdir() if p.name != ".lock"] == []
    assert registry.manifests() == []


def test_remove_deletes_one_version(tmp_path) -> None:
    registry = DatasetRegistry(tmp_path)
    manifest, _ = registry.register(_tickets(), drop=False)
    registry.remove(manifest)
    assert registry.find("tickets") is None
    with pytest.raises(DataError, match="not 'auto'.*none is registered yet"):
        load_source("tickets", tmp_path)


def test_names() -> None:
    assert slug("My Tickets (2024).csv") == "my-tickets-2024" and slug("reviews-v2.parquet") == "reviews-version2"
    assert check_name("tickets_2") == "tickets_2"
    for bad in ("", "Tickets", "a--b", "x-v3", "../etc", "sample", "hub"):
        with pytest.raises(DataSetError, match="not valid|taken by a built-in data source"):
            check_name(bad)
    with pytest.raises(DataSetError, match="no data set named 'nope'"):
        DatasetRegistry(__import__("pathlib").Path("/nonexistent")).get("nope")


ANALYST = Identity(subject="a", email="an@example.com", role=Role.ANALYST)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_only_analysts_and_admins_register_or_remove(tmp_path, role: Role) -> None:
    registry = DatasetRegistry(tmp_path)
    actor = Identity(subject="x", email="x@example.com", role=role)
    with pytest.raises(AccessRefused, match="Registering a data set needs the admin or analyst role"):
        registry.register(_tickets(), drop=False, actor=actor)
    assert registry.manifests() == []
    manifest, _ = registry.register(_tickets(), drop=False, actor=ANALYST)
    assert manifest.created_by == "an@example.com" and registry.find("tickets").created_by == "an@example.com"
    with pytest.raises(AccessRefused, match="Removing a data set"):
        registry.remove(manifest, actor=actor)
    assert registry.find("tickets-v1") is not None
    registry.remove(manifest, actor=ANALYST)
    assert registry.find("tickets-v1") is None
    assert [(e.who, e.action, e.target, e.outcome) for e in AuditLog(tmp_path).read().entries] == [
        ("x@example.com", "register_dataset", "tickets", Outcome.REFUSED),
        ("an@example.com", "register_dataset", "tickets-v1", Outcome.DONE),
        ("x@example.com", "remove_dataset", "tickets-v1", Outcome.REFUSED),
        ("an@example.com", "remove_dataset", "tickets-v1", Outcome.DONE)]
