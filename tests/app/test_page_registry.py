"""One page list: every file in pages/ is registered once, and no page or helper spells a page's path itself."""

from __future__ import annotations

import re

from agnews_ui import page_registry

from .conftest import REPO


def test_every_page_file_is_registered_once_with_one_default() -> None:
    files = {f"pages/{p.name}" for p in (REPO / "pages").glob("*.py") if p.name != "__init__.py"}
    every = (*page_registry.PAGES, page_registry.AUDIT)  # the audit log is listed for admins only
    registered = [p.path for p in every]
    assert sorted(registered) == sorted(files) and len(set(registered)) == len(registered)
    assert [p for p in every if p.default] == [page_registry.HOME]
    assert all(p.title and p.icon.startswith(":material/") and p.description for p in every)


def test_no_page_path_is_written_outside_the_registry() -> None:
    sources = [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "agnews_ui").glob("*.py")]
    spelled = {str(path.relative_to(REPO)) for path in sources
               if path.name != "page_registry.py" and re.search(r"[\"']pages/\w+\.py", path.read_text())}
    assert spelled == set()


def test_no_framework_internals_in_the_app() -> None:
    sources = [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "agnews_ui").glob("*.py")]
    assert not [p.name for p in sources if re.search(r"PagesManager|uses_pages_directory", p.read_text())]
