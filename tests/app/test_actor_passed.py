"""Every page call that changes something carries the session's identity to the core, which checks its role.

The core's default actor is the local user (an admin: the command line and an app without sign-in); a page that
forgot to pass the signed-in user would act as an admin. This walks the UI code for such calls.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
UI_FILES = sorted([REPO_ROOT / "app.py", *(REPO_ROOT / "pages").glob("*.py"), *(REPO_ROOT / "agnews_ui").glob("*.py")])
# Core methods that act for a user: JobManager.submit/cancel, DatasetRegistry.register/remove,
# VerdictStore.record/record_all/delete, and import_csv.
GUARDED = {"submit", "cancel", "register", "remove", "record", "record_all", "delete", "import_csv"}


def _guarded_calls(path: Path) -> list[ast.Call]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if name in GUARDED and not (isinstance(receiver, ast.Name) and receiver.id == "st"):
            calls.append(node)
    return calls


def _passes_actor(call: ast.Call) -> bool:
    def is_actor(arg: ast.expr) -> bool:
        return isinstance(arg, ast.Call) and getattr(arg.func, "id", "") == "actor"
    return any(is_actor(a) for a in call.args) or any(k.arg == "actor" for k in call.keywords)


def test_every_guarded_call_in_the_ui_passes_the_sessions_actor() -> None:
    missing = [f"{path.relative_to(REPO_ROOT)}:{call.lineno}" for path in UI_FILES for call in _guarded_calls(path)
               if not _passes_actor(call)]
    assert missing == []


def test_the_walk_finds_the_calls_it_guards() -> None:
    found = {(path.name, call.func.attr) for path in UI_FILES for call in _guarded_calls(path)
             if isinstance(call.func, ast.Attribute)}
    assert {("sweep.py", "submit"), ("jobs_view.py", "cancel"), ("data_add.py", "register"),
            ("verdict_panel.py", "record"), ("verdict_panel.py", "delete")} <= found
