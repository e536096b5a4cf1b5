"""The verdict store: latest verdict wins, concurrent writers lose nothing, a killed writer corrupts nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.waiting import wait_until

from agnews_core.access.audit import AuditLog, Outcome
from agnews_core.access.guard import AccessRefused
from agnews_core.access.identity import Identity
from agnews_core.access.roles import Role
from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore, source_slug
from agnews_core.text_keys import text_key

REPO_ROOT = Path(__file__).resolve().parents[3]
SOURCE = "sample"

# A writer process: records verdicts on texts '<prefix> <i>' for i < count (count < 0: forever).
WRITER = """
import sys
from agnews_core.review.verdicts import Verdict, VerdictStore
root, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = VerdictStore(root, "sample")
i = 0
while count < 0 or i < count:
    store.record(Verdict(text=f"{prefix} {i}", label=i % 4, kind="remove", note="x" * 200))
    i += 1
"""


def _writer(root: Path, prefix: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(root), prefix, str(count)], cwd=REPO_ROOT,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})


def test_record_get_list_and_delete(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path, SOURCE)
    first = store.record(Verdict(text="Oil rises", label=2, kind=VerdictKind.RELABEL, new_label=3,
                                 recorded_at="2026-11-26T10:00:00+00:00"))
    store.record(Verdict(text="Match ends", label=1, kind="keep", note="model is wrong", reviewer="ana",
                         recorded_at="2026-11-26T11:00:00+00:00"))
    assert store.path == tmp_path / "verdicts" / "sample.jsonl"
    assert store.get(first.text_key) == first
    assert [v.text for v in store.list()] == ["Match ends", "Oil rises"]  # newest first
    assert store.get(text_key("Match ends")).reviewer == "ana"

    changed = store.record(Verdict(text="Oil rises", label=2, kind="remove"))
    assert store.get(first.text_key) == changed  # latest verdict for a text wins
    assert len(store.verdicts()) == 2

    assert store.delete(first.text_key) is True
    assert store.delete(first.text_key) is False
    assert store.get(first.text_key) is None
    assert VerdictStore(tmp_path, SOURCE).verdicts().keys() == {text_key("Match ends")}  # persisted


def test_each_data_source_has_its_own_file(tmp_path: Path) -> None:
    VerdictStore(tmp_path, "sample").record(Verdict(text="a", label=0, kind="keep"))
    assert VerdictStore(tmp_path, "hub").verdicts() == {}
    assert source_slug("sample") == "sample"
    folder_a, folder_b = source_slug("/data/one/ag_news"), source_slug("/data/two/ag_news")
    assert folder_a.startswith("ag-news-") and folder_a != folder_b
    assert "/" not in folder_a and ".." not in source_slug("../../etc")
    with pytest.raises(ValueError, match="resolve the data source 'auto'"):
        VerdictStore(tmp_path, "auto")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "  ", "label": 0, "kind": "keep"}, "needs the row's text"),
        ({"text": "a", "label": 500, "kind": "keep"}, "gold label must be a label id"),
        ({"text": "a", "label": -1, "kind": "keep"}, "gold label must be a label id"),
        ({"text": "a", "label": 0, "kind": "flip"}, "kind must be one of relabel, remove, keep"),
        ({"text": "a", "label": 0, "kind": "relabel"}, "needs a new label|new label must be"),
        ({"text": "a", "label": 0, "kind": "relabel", "new_label": 0}, "record 'keep' instead"),
        ({"text": "a", "label": 0, "kind": "remove", "new_label": 1}, "only a relabel verdict"),
        ({"text": "a", "label": 0, "kind": "keep", "text_key": "0" * 16}, "does not match the text"),
    ],
)
def test_bad_verdicts_are_refused_with_a_reason(fields: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Verdict(**fields)


def test_threads_recording_at_once_lose_nothing(tmp_path: Path) -> None:
    start = threading.Barrier(8)

    def work(thread: int) -> None:
        store = VerdictStore(tmp_path, SOURCE)  # one store per thread, as per browser session
        start.wait()
        for i in range(25):
            store.record(Verdict(text=f"thread {thread} row {i}", label=i % 4, kind="keep"))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    contents = VerdictStore(tmp_path, SOURCE).read()
    assert len(contents.verdicts) == 200 and contents.unreadable_lines == 0


def test_two_processes_recording_at_once_lose_nothing(tmp_path: Path) -> None:
    writers = [_writer(tmp_path, prefix, 150) for prefix in ("first", "second")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    contents = VerdictStore(tmp_path, SOURCE).read()
    assert len(contents.verdicts) == 300 and contents.unreadable_lines == 0
    assert sum(line.startswith(b"{") for line in (tmp_path / "verdicts" / "sample.jsonl").read_bytes().splitlines()) == 300


def test_a_writer_killed_mid_loop_loses_at_most_the_verdict_being_written(tmp_path: Path) -> None:
    writer = _writer(tmp_path, "killed", -1)
    path = tmp_path / "verdicts" / "sample.jsonl"
    try:
        wait_until(lambda: path.exists() and path.read_bytes().count(b"\n") >= 50, 60, "50 verdicts on disk",
                   interval=0.01)
    finally:  # killed either way: the writer loops forever
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
    complete = path.read_bytes().count(b"\n")
    assert complete >= 50

    store = VerdictStore(tmp_path, SOURCE)
    contents = store.read()
    assert len(contents.verdicts) >= complete - 1 and contents.unreadable_lines <= 1
    assert {f"killed {i}" for i in range(complete - 1)} <= {v.text for v in contents.verdicts.values()}
    store.record(Verdict(text="after the crash", label=0, kind="keep"))
    assert store.get(text_key("after the crash")) is not None


def test_a_torn_last_line_is_skipped_and_the_next_verdict_is_intact(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path, SOURCE)
    store.record(Verdict(text="before", label=0, kind="keep"))
    with open(store.path, "ab") as handle:  # what a kill -9 half-way through a write leaves
        handle.write(b'{"op": "record", "text": "half writ')
    store.record(Verdict(text="after", label=1, kind="remove"))
    contents = store.read()
    assert {v.text for v in contents.verdicts.values()} == {"before", "after"}
    assert contents.unreadable_lines == 1


def test_record_all_merges_and_rewrites_atomically(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path, SOURCE)
    store.record(Verdict(text="kept", label=0, kind="keep"))
    store.record(Verdict(text="changed", label=0, kind="keep"))
    store.record_all([Verdict(text="changed", label=0, kind="remove"), Verdict(text="new", label=3, kind="remove")])
    verdicts = store.verdicts()
    assert {v.text: str(v.kind) for v in verdicts.values()} == {"kept": "keep", "changed": "remove", "new": "remove"}
    assert store.path.read_bytes().count(b"\n") == 3  # compacted: one line per text
    assert [p.name for p in store.path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_reading_an_empty_store_creates_no_folder_or_lock_file(tmp_path) -> None:
    store = VerdictStore(tmp_path / "root", "sample")
    assert store.verdicts() == {} and store.list() == []
    assert not (tmp_path / "root").exists()


def test_each_reviewer_keeps_one_current_verdict_per_row(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path, SOURCE)
    ana = store.record(Verdict(text="Oil rises", label=2, kind="relabel", new_label=3, reviewer="ana"))
    bob = store.record(Verdict(text="Oil rises", label=2, kind="remove", reviewer=" bob "))
    anonymous = store.record(Verdict(text="Oil rises", label=2, kind="keep"))
    key = ana.text_key
    assert store.by_row() == {key: [ana, bob, anonymous]} and bob.reviewer == "bob"
    assert store.get(key) == anonymous and store.get(key, "bob") == bob  # latest of anyone, or one reviewer's
    assert store.verdicts() == {key: anonymous}  # the default policy: the latest
    assert store.verdicts("unanimous") == {} and store.verdicts("majority") == {}  # three different verdicts

    again = store.record(Verdict(text="Oil rises", label=2, kind="remove", note="not news", reviewer="ana"))
    assert store.by_row()[key] == [bob, anonymous, again]  # ana's replaced, nobody else's
    assert store.verdicts("majority") == {key: again}
    assert len(store.list()) == 3

    assert store.delete(key, reviewer="bob") is True and store.delete(key, reviewer="bob") is False
    assert store.by_row()[key] == [anonymous, again]
    assert store.delete(key, reviewer="") is True  # the anonymous reviewer's only
    assert VerdictStore(tmp_path, SOURCE).by_row() == {key: [again]}  # persisted
    store.record(bob)
    assert store.delete(key) is True and store.by_row() == {}  # no reviewer named: the whole row


def test_a_file_written_before_reviewers_counted_reads_as_before(tmp_path: Path) -> None:
    # The old store replaced a row's verdict whoever gave it, and a delete cleared the row.
    path = tmp_path / "verdicts" / "sample.jsonl"
    path.parent.mkdir()
    old = [Verdict(text="Oil rises", label=2, kind="keep", reviewer="ana"),
           Verdict(text="Oil rises", label=2, kind="remove", reviewer="bob"),
           Verdict(text="Goal!", label=1, kind="remove", reviewer="ana")]
    lines = [json.dumps({"op": "record", **v.to_json()}) for v in old]
    lines.append(json.dumps({"op": "delete", "text_key": text_key("Goal!"), "recorded_at": "2026-11-26T12:00:00"}))
    path.write_text("\n".join(lines) + "\n")
    store = VerdictStore(tmp_path, SOURCE)
    assert store.by_row() == {text_key("Oil rises"): [old[1]]}  # bob's replaced ana's: his is that row's only
    carl = store.record(Verdict(text="Oil rises", label=2, kind="remove", reviewer="carl"))
    assert store.by_row()[text_key("Oil rises")] == [old[1], carl]  # new verdicts add to the old one
    assert store.verdicts("unanimous") == {carl.text_key: carl}


def test_record_all_replaces_per_text_and_reviewer(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path, SOURCE)
    ana = store.record(Verdict(text="Oil rises", label=2, kind="keep", reviewer="ana"))
    store.record(Verdict(text="Oil rises", label=2, kind="keep", reviewer="bob"))
    bob = Verdict(text="Oil rises", label=2, kind="remove", reviewer="bob")
    carl = Verdict(text="Oil rises", label=2, kind="remove", reviewer="carl")
    assert store.record_all([bob, carl]) == 2
    assert store.by_row() == {ana.text_key: [ana, bob, carl]}
    assert store.path.read_bytes().count(b"\n") == 3  # compacted: one line per text and reviewer


VIEWER = Identity(subject="v", email="vi@example.com", role=Role.VIEWER)
REVIEWER = Identity(subject="r", email="re@example.com", role=Role.REVIEWER)
ADMIN = Identity(subject="ad", email="ad@example.com", role=Role.ADMIN)


def test_a_viewer_records_nothing_and_the_refusal_is_logged(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path, "sample")
    verdict = Verdict(text="Stocks fell", label=2, kind=VerdictKind.KEEP)
    with pytest.raises(AccessRefused, match="Recording a verdict needs the admin, analyst or reviewer role"):
        store.record(verdict, VIEWER)
    with pytest.raises(AccessRefused, match="Importing verdicts"):
        store.record_all([verdict], VIEWER)
    assert store.list() == []
    assert [(e.who, e.action, e.outcome) for e in AuditLog(tmp_path).read().entries] == [
        ("vi@example.com", "record_verdict", Outcome.REFUSED), ("vi@example.com", "import_verdicts", Outcome.REFUSED)]


def test_a_signed_in_reviewers_verdict_carries_their_identity_whatever_name_was_typed(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path, "sample")
    stored = store.record(Verdict(text="Stocks fell", label=2, kind=VerdictKind.KEEP, reviewer="the boss"), REVIEWER)
    assert stored.reviewer == "re@example.com" and store.get(text_key("Stocks fell")).reviewer == "re@example.com"
    store.record_all([Verdict(text="Rain", label=0, kind=VerdictKind.REMOVE, reviewer="someone")], REVIEWER)
    assert store.get(text_key("Rain")).reviewer == "re@example.com"
    store.record_all([Verdict(text="Goal", label=1, kind=VerdictKind.KEEP, reviewer="ana")], ADMIN)
    assert store.get(text_key("Goal")).reviewer == "ana"  # an admin importing keeps the file's reviewer names
    [entry] = [e for e in AuditLog(tmp_path).read().entries if e.action == "record_verdict"]
    assert (entry.who, entry.target, entry.outcome) == ("re@example.com", f"sample {text_key('Stocks fell')}",
                                                       Outcome.DONE)


def test_a_reviewer_clears_their_own_verdict_only_and_an_admin_anyones(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path, "sample")
    key = text_key("Stocks fell")
    store.record(Verdict(text="Stocks fell", label=2, kind=VerdictKind.KEEP), REVIEWER)
    store.record(Verdict(text="Stocks fell", label=2, kind=VerdictKind.REMOVE), ADMIN)
    with pytest.raises(AccessRefused, match="Deleting someone else's verdict needs the admin role"):
        store.delete(key, "ad@example.com", REVIEWER)
    with pytest.raises(AccessRefused):
        store.delete(key, None, REVIEWER)  # everyone's
    assert store.delete(key, "re@example.com", REVIEWER)
    assert store.delete(key, None, ADMIN)
    assert store.get(key) is None
