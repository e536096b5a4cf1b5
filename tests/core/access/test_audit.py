"""The audit log: appended lines, read back in order, a torn line counted and skipped."""

from __future__ import annotations

import threading
from pathlib import Path

from agnews_core.access.audit import AuditLog, Outcome
from agnews_core.access.identity import Identity
from agnews_core.access.roles import Role

ANA = Identity(subject="1", email="ana@example.com", role=Role.ANALYST)


def test_entries_come_back_oldest_first_with_every_field(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.record(ANA, "run_sweep", "sweep-1", Outcome.DONE)
    log.record(ANA, "cancel_any_job", "sweep-2", Outcome.REFUSED, "needs admin")
    contents = log.read()
    assert [(e.who, e.role, e.action, e.target, e.outcome, e.detail) for e in contents.entries] == [
        ("ana@example.com", "analyst", "run_sweep", "sweep-1", Outcome.DONE, ""),
        ("ana@example.com", "analyst", "cancel_any_job", "sweep-2", Outcome.REFUSED, "needs admin")]
    assert contents.unreadable_lines == 0 and all(e.at.endswith("+00:00") for e in contents.entries)


def test_a_torn_line_is_counted_and_the_next_entry_still_reads(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.record(ANA, "run_sweep", "sweep-1", Outcome.DONE)
    with open(log.path, "ab") as handle:
        handle.write(b'{"at": "2026-')  # a writer killed mid-line
    log.record(ANA, "run_sweep", "sweep-2", Outcome.DONE)
    contents = log.read()
    assert [e.target for e in contents.entries] == ["sweep-1"] and contents.unreadable_lines == 1


def test_threads_never_interleave_lines(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    threads = [threading.Thread(target=lambda i=i: [log.record(ANA, "predict", f"t{i}-{n}", Outcome.DONE)
                                                   for n in range(25)]) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    contents = log.read()
    assert len(contents.entries) == 100 and contents.unreadable_lines == 0


def test_an_empty_folder_has_an_empty_log_and_reading_writes_nothing(tmp_path: Path) -> None:
    assert AuditLog(tmp_path).read().entries == []
    assert list(tmp_path.iterdir()) == []
